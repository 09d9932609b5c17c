package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"

	"gotoauth/web/oauthhttp"
)

// postedForm reads a POSTed form for a JSON endpoint, answering the error
// itself when there is none.
func postedForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST, OPTIONS")
		return nil, false
	}
	form, status, desc := readForm(w, r)
	if status != 0 {
		oauthhttp.WriteError(w, status, "invalid_request", desc)
		return nil, false
	}
	return form, true
}

// readForm reads an application/x-www-form-urlencoded body of at most
// maxBody bytes in which no parameter repeats (RFC 6749 §3.2). On failure
// it returns an HTTP status and a description.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, int, string) {
	body, status, desc := oauthhttp.ReadBody(w, r, maxBody)
	if status != 0 {
		return nil, status, desc
	}
	form, desc := oauthhttp.ParseForm(r.Header.Get("Content-Type"), body)
	if desc != "" {
		return nil, http.StatusBadRequest, desc
	}
	return form, 0, ""
}

// writeJSON answers v as JSON (oauthhttp.WriteJSON).
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	oauthhttp.WriteJSON(w, status, b)
}

// methodNotAllowed answers 405 with the allowed methods.
func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusMethodNotAllowed)
	io.WriteString(w, "405 method not allowed\n")
}
