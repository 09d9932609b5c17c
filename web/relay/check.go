package relay

import (
	"log"
	"net/http"
	"strconv"
	"sync"
	"time"

	"gotoauth/wasm/relayapi"
	"gotoauth/web/oauthhttp"
)

// admit runs the checks every endpoint shares, in this order, and answers a
// refusal itself, so that a refused request never reaches GoTo:
//
//  1. the method is POST (405), or the request is a CORS preflight from an
//     allowed origin, which is answered here;
//  2. Origin names an allowed origin (403);
//  3. relayapi.Header is relayapi.HeaderValue (403): a cross-site form
//     cannot set it, and a cross-origin fetch that does must pass the
//     preflight first, the custom-header defence against cross-site request
//     forgery of "OAuth 2.0 for Browser-Based Applications" ("Cross-Site
//     Request Forgery Protections"), beside the Origin check and
//     SameSite=Strict;
//  4. the body is at most 64 KiB (413).
//
// It returns the body and the origin.
func (rl *Relay) admit(w http.ResponseWriter, r *http.Request) ([]byte, string, bool) {
	origin, allowed := rl.cors.Allow(w, r)
	if r.Method == http.MethodOptions && allowed {
		if r.Header.Get("Access-Control-Request-Method") != http.MethodPost {
			rl.obs.Refused(RefusedMethod)
			w.Header().Set("Allow", "POST")
			oauthhttp.WriteError(w, http.StatusMethodNotAllowed, "invalid_request", "The relay takes POST only.")
			return nil, "", false
		}
		rl.cors.Preflight(w)
		return nil, "", false
	}
	if r.Method != http.MethodPost && r.Method != http.MethodOptions {
		rl.obs.Refused(RefusedMethod)
		w.Header().Set("Allow", "POST")
		oauthhttp.WriteError(w, http.StatusMethodNotAllowed, "invalid_request", "The relay takes POST only.")
		return nil, "", false
	}
	if !allowed {
		// A preflight from a foreign origin ends here too. Browsers send
		// Origin on every POST, same-origin fetches included (RFC 6454 §7;
		// the Fetch Standard's "append a request Origin header"), so a POST
		// without one did not come from a page the relay serves: it is
		// refused like a foreign origin.
		rl.obs.Refused(RefusedOrigin)
		rl.refused.note(rl.log, r.Header.Values("Origin"), rl.now())
		oauthhttp.WriteError(w, http.StatusForbidden, "invalid_request", "The request's Origin is missing or not allowed to use this relay; its operator allows a page's origin with -allow-origin (serve.go) or Config.AllowedOrigins.")
		return nil, "", false
	}
	if v := r.Header.Values(relayapi.Header); len(v) != 1 || v[0] != relayapi.HeaderValue {
		rl.obs.Refused(RefusedHeader)
		oauthhttp.WriteError(w, http.StatusForbidden, "invalid_request", "The request must carry the header "+relayapi.Header+": "+relayapi.HeaderValue+".")
		return nil, "", false
	}
	body, status, desc := oauthhttp.ReadBody(w, r, maxBody)
	if status != 0 {
		rl.obs.Refused(RefusedSize) // or a body that could not be read
		oauthhttp.WriteError(w, status, "invalid_request", desc)
		return nil, "", false
	}
	return body, origin, true
}

// refusedLog logs refused origins, each at most once a minute, so that an
// operator who forgot -allow-origin sees why pages fail, and a flood of
// refused requests does not flood the log. It holds at most
// maxRefusedOrigins origins; past that, origins it does not hold yet are
// not logged until a minute has passed.
type refusedLog struct {
	mu   sync.Mutex
	last map[string]time.Time
}

const maxRefusedOrigins = 256

// note logs the refused Origin values (none, one, or several), the origin
// written quoted and cut to 100 bytes; never a cookie or any other header.
func (l *refusedLog) note(logger *log.Logger, values []string, now time.Time) {
	var origin string
	switch len(values) {
	case 0:
		origin = "(none)"
	case 1:
		origin = values[0]
		if len(origin) > 100 {
			origin = origin[:100]
		}
		origin = strconv.Quote(origin)
	default:
		origin = "(" + strconv.Itoa(len(values)) + " Origin headers)"
	}
	l.mu.Lock()
	if l.last == nil {
		l.last = make(map[string]time.Time)
	}
	if at, ok := l.last[origin]; ok && now.Sub(at) < time.Minute {
		l.mu.Unlock()
		return
	}
	if len(l.last) >= maxRefusedOrigins {
		for o, at := range l.last {
			if now.Sub(at) >= time.Minute {
				delete(l.last, o)
			}
		}
		if len(l.last) >= maxRefusedOrigins {
			l.mu.Unlock()
			return
		}
	}
	l.last[origin] = now
	l.mu.Unlock()
	logger.Print("relay: refused a request from origin " + origin + ", which is not allowed; allow a page's origin with -allow-origin (serve.go) or Config.AllowedOrigins")
}
