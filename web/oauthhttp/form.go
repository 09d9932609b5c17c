package oauthhttp

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"gotoauth/wasm/limits"
)

// ReadBody reads a request's body of at most max bytes. On failure it
// returns the HTTP status to answer (413 for a body over max, 400 for one
// that could not be read) and a description.
func ReadBody(w http.ResponseWriter, r *http.Request, max int) ([]byte, int, string) {
	tooLarge := "The body is larger than " + limits.Size(max) + "."
	if r.ContentLength > int64(max) {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(max)))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge, tooLarge
		}
		return nil, http.StatusBadRequest, "The body could not be read."
	}
	return body, 0, ""
}

// ParseForm parses an application/x-www-form-urlencoded body, given its
// Content-Type, in which no parameter repeats (RFC 6749 §3.2). On failure
// it returns a description for an invalid_request answer.
func ParseForm(contentType string, body []byte) (url.Values, string) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, "The body must be application/x-www-form-urlencoded."
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, "The body is malformed."
	}
	for k, v := range form {
		if len(v) > 1 {
			return nil, "Parameter " + quote(k) + " is repeated."
		}
	}
	return form, ""
}

// quote writes s for a message, shortened.
func quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return "\"" + s + "\""
}
