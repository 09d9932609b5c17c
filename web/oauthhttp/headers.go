package oauthhttp

import (
	"fmt"
	"net/http"
)

// NoSniff sets the headers every answer of these servers carries: no MIME
// sniffing, no Referer sent onwards.
func NoSniff(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// APIHeaders are NoSniff's and Cache-Control: no-store, for the answers of
// an OAuth endpoint (RFC 6749 §5.1), which no cache may keep.
func APIHeaders(h http.Header) {
	NoSniff(h)
	h.Set("Cache-Control", "no-store")
}

// ReadOnly refuses every method but GET and HEAD with 405, and reports
// whether the request may go on.
func ReadOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	TextError(w, http.StatusMethodNotAllowed)
	return false
}

// TextError answers status with its text, as plain text, kept by no cache
// longer than it takes to ask again (unless the answer says otherwise).
func TextError(w http.ResponseWriter, status int) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	fmt.Fprintln(w, http.StatusText(status))
}
