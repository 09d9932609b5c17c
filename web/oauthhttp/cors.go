package oauthhttp

import "net/http"

// CORS is one server's answer to cross-origin calls (the Fetch Standard's
// CORS protocol): who may call, and what a preflight allows.
type CORS struct {
	Origins Origins
	// Methods and Headers are the preflight's Access-Control-Allow-Methods
	// and -Headers.
	Methods, Headers string
	// Credentials lets an allowed page send its cookies.
	Credentials bool
}

// Allow adds Vary: Origin and, when the request's Origin is allowed, the
// headers that let the page read the answer (refusals included). It
// returns the Origin and whether it is allowed.
func (c CORS) Allow(w http.ResponseWriter, r *http.Request) (string, bool) {
	h := w.Header()
	h.Add("Vary", "Origin")
	origin, allowed := c.Origins.Check(r)
	if allowed {
		h.Set("Access-Control-Allow-Origin", origin)
		if c.Credentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
	}
	return origin, allowed
}

// Preflight answers a preflight from an allowed origin (after Allow): 204
// with the methods and headers, which the browser keeps ten minutes.
func (c CORS) Preflight(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", c.Methods)
	h.Set("Access-Control-Allow-Headers", c.Headers)
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}
