package emulator

import "net/http"

// withCORS adds CORS headers for allowed origins and answers preflights;
// otherwise it runs next. Other origins get no CORS headers, so browsers
// keep the response from them.
func (e *Emulator) withCORS(w http.ResponseWriter, r *http.Request, next func()) {
	h := w.Header()
	h.Add("Vary", "Origin")
	origin, allowed := e.origins.Check(r)
	if allowed {
		h.Set("Access-Control-Allow-Origin", origin)
	}
	if r.Method == http.MethodOptions {
		if allowed {
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			h.Set("Access-Control-Max-Age", "600")
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	next()
}
