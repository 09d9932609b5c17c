package oauthhttp

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// errorResponse is the JSON error body of RFC 6749 §5.2.
type errorResponse struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// ErrorBody is an RFC 6749 §5.2 error as JSON.
func ErrorBody(code, desc string) []byte {
	b, _ := json.Marshal(errorResponse{Error: code, Description: desc}) // strings only: cannot fail
	return b
}

// WriteJSON answers a JSON body, never cached (RFC 6749 §5.1).
func WriteJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// WriteError answers an RFC 6749 §5.2 error.
func WriteError(w http.ResponseWriter, status int, code, desc string) {
	WriteJSON(w, status, ErrorBody(code, desc))
}
