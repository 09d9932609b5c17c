package oauthhttp

import (
	"net/http"
	"strings"
)

// Mount is a handler for a folder (a path ending in /) and everything in
// it, or for exactly one path.
type Mount struct {
	Path    string
	Handler http.Handler
}

// Route sends a request to the first mount that holds its path, else to
// rest. It is not http.ServeMux, whose path cleaning would turn traversal
// attempts into redirects instead of refusals.
func Route(rest http.Handler, mounts ...Mount) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, m := range mounts {
			if r.URL.Path == m.Path || strings.HasSuffix(m.Path, "/") && strings.HasPrefix(r.URL.Path, m.Path) {
				m.Handler.ServeHTTP(w, r)
				return
			}
		}
		rest.ServeHTTP(w, r)
	})
}

// NotFound answers every request 404, as text.
var NotFound = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	NoSniff(w.Header())
	TextError(w, http.StatusNotFound)
})
