package relay

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// oauthError is the JSON error body of RFC 6749 §5.2.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// writeJSON answers a JSON body, never cached (RFC 6749 §5.1).
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// errorBody is an RFC 6749 §5.2 error as JSON.
func errorBody(code, desc string) []byte {
	b, _ := json.Marshal(oauthError{Error: code, Description: desc}) // strings only: cannot fail
	return b
}

// writeError answers an RFC 6749 §5.2 error.
func writeError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, errorBody(code, desc))
}
