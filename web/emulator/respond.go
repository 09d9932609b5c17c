package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
)

// oauthError is the JSON error body of RFC 6749 §5.2.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// postedForm reads a POSTed form for a JSON endpoint, answering the error
// itself when there is none.
func postedForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST, OPTIONS")
		return nil, false
	}
	form, status, desc := readForm(w, r)
	if status != 0 {
		writeError(w, status, "invalid_request", desc)
		return nil, false
	}
	return form, true
}

// readForm reads an application/x-www-form-urlencoded body of at most
// maxBody bytes in which no parameter repeats (RFC 6749 §3.2). On failure
// it returns an HTTP status and a description.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, int, string) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, http.StatusBadRequest, "The body must be application/x-www-form-urlencoded."
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge, "The body is too large."
		}
		return nil, http.StatusBadRequest, "The body could not be read."
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, http.StatusBadRequest, "The body is malformed."
	}
	for k, v := range form {
		if len(v) > 1 {
			return nil, http.StatusBadRequest, "Parameter " + k + " is repeated."
		}
	}
	return form, 0, ""
}

// writeJSON answers v as JSON, never cached.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// writeError answers an OAuth error (RFC 6749 §5.2).
func writeError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, oauthError{Error: code, Description: desc})
}

// methodNotAllowed answers 405 with the allowed methods.
func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusMethodNotAllowed)
	io.WriteString(w, "405 method not allowed\n")
}
