package emulator

import "net/http"

// withCORS adds CORS headers for allowed origins and answers preflights;
// otherwise it runs next. Other origins get no CORS headers, so browsers
// keep the response from them.
func (e *Emulator) withCORS(w http.ResponseWriter, r *http.Request, next func()) {
	_, allowed := e.cors.Allow(w, r)
	if r.Method != http.MethodOptions {
		next()
	} else if allowed {
		e.cors.Preflight(w)
	} else {
		w.WriteHeader(http.StatusNoContent)
	}
}
