package relay

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"gotoauth/web/oauthhttp"
)

// HealthPath is where serve.go answers load balancers with Health.
const HealthPath = "/healthz"

// Health answers load balancers: 200 "ok" when rl's store can be reached
// (always when rl is nil: a server without a relay), else 503 with
// Retry-After and why in the body, within two seconds. GET and HEAD only.
func Health(rl *Relay) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		oauthhttp.APIHeaders(h)
		if !oauthhttp.ReadOnly(w, r) {
			return
		}
		h.Set("Content-Type", "text/plain; charset=utf-8")
		if rl != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := rl.Ready(ctx); err != nil {
				h.Set("Retry-After", "2")
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintln(w, "the relay's store cannot be reached")
				return
			}
		}
		fmt.Fprintln(w, "ok")
	})
}
