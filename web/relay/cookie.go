package relay

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"gotoauth/wasm/form"
	"gotoauth/wasm/relayapi"
	"gotoauth/web/oauthhttp"
)

// cookieAction is what an answer does to the refresh cookie.
type cookieAction struct {
	op      cookieOp
	value   string    // for setCookie: the sealed value
	expires time.Time // for setCookie: the sealed expiry
}

type cookieOp int

const (
	keepCookie  cookieOp = iota // no Set-Cookie
	setCookie                   // a new sealed refresh token
	clearCookie                 // Max-Age=0
)

// sealCookie seals a refresh token into a cookieAction. A token too large
// for a browser to keep as a cookie clears the cookie instead (and is
// logged, without the token): the page keeps its access token, and its next
// refresh is told to sign in again rather than silently failing later.
func (rl *Relay) sealCookie(token string, id signIn, now time.Time) cookieAction {
	rl.announceKeys(context.Background()) // before any instance can be handed the cookie
	return rl.checkCookie(rl.seal.seal(token, id, now))
}

// sealCookieUntil seals a cookie again, with the current key, keeping its
// expiry.
func (rl *Relay) sealCookieUntil(token string, id signIn, expires time.Time) cookieAction {
	rl.announceKeys(context.Background())
	return rl.checkCookie(rl.seal.current.sealUntil(token, id, rl.now(), expires))
}

func (rl *Relay) checkCookie(value string, expires time.Time) cookieAction {
	if len(CookieName)+1+len(value) > maxCookieBytes {
		rl.log.Printf("relay: GoTo's refresh token, sealed, is %d bytes: too large to keep in a cookie; the user will have to sign in again when the access token expires", len(value))
		return cookieAction{op: clearCookie}
	}
	return cookieAction{op: setCookie, value: value, expires: expires}
}

// apply writes a's Set-Cookie, if any. The cookie is HttpOnly (no script
// reads it), SameSite=Strict (no request another site starts carries it;
// the SameSite attribute of RFC 6265bis), limited to the relay's path, and
// Secure unless the page's origin is plain http on a loopback host, where
// the local demo runs and a browser may refuse a Secure cookie. Secure
// follows the page ("OAuth 2.0 for Browser-Based Applications", cookie
// security), never Host or X-Forwarded-*: behind a proxy that speaks plain
// http to the relay, Host says nothing of what the browser sees. origin
// has passed admit.
func (rl *Relay) apply(w http.ResponseWriter, origin string, a cookieAction) {
	c := &http.Cookie{
		Name:     CookieName,
		Path:     rl.path,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
		Secure:   secureFor(origin),
	}
	switch a.op {
	case keepCookie:
		return
	case setCookie:
		c.Value = a.value
		c.Expires = a.expires.UTC()
		// The sealed expiry is in whole seconds: round up, so that a cookie
		// sealed a moment ago lives its whole 30 days.
		c.MaxAge = int((a.expires.Sub(rl.now()) + time.Second - 1) / time.Second)
		if c.MaxAge <= 0 {
			c.MaxAge = -1 // already expired: clear it instead
			c.Value, c.Expires = "", time.Unix(0, 0).UTC()
		}
	case clearCookie:
		c.MaxAge = -1 // written as Max-Age=0
		c.Expires = time.Unix(0, 0).UTC()
	}
	http.SetCookie(w, c)
}

// secureFor reports whether a cookie for a page on origin is Secure: always
// but for plain http on a loopback host.
func secureFor(origin string) bool {
	rest, plain := strings.CutPrefix(origin, "http://")
	return !(plain && loopbackHost(rest))
}

// errAmbiguous is a request with more than one refresh cookie.
var errAmbiguous = errors.New("more than one refresh cookie")

// readCookie opens the request's refresh cookie and reports whether it was
// opened with an old key. A request with more than one cookie by that
// name is refused (errAmbiguous), never guessed at: a browser sends every
// cookie whose domain and path match, so a sibling host that sets one for
// the parent domain could otherwise sign the user into its own account
// ("cookie tossing"). A request without one has s == nil and err == nil.
func (rl *Relay) readCookie(r *http.Request) (s *sealed, old bool, err error) {
	cookies := r.CookiesNamed(CookieName)
	switch len(cookies) {
	case 0:
		return nil, false, nil
	case 1:
		return rl.seal.open(cookies[0].Value, rl.now())
	}
	return nil, false, errAmbiguous
}

// oneCookie reads the refresh cookie for /refresh, or answers 401:
//
//   - no cookie: invalid_grant;
//   - more than one: invalid_request, and no cookie is cleared, so that
//     planted cookies cannot sign a user out;
//   - one sealed with a key this instance lacks but another instance
//     holds (a key rotation under way): 503, retry, nothing cleared
//     (keyid.go);
//   - one that does not open: invalid_grant, not cleared either;
//   - one that expired: invalid_grant, cleared.
func (rl *Relay) oneCookie(w http.ResponseWriter, r *http.Request, origin string) (*sealed, bool, bool) {
	s, old, err := rl.readCookie(r)
	switch {
	case err == errAmbiguous:
		rl.obs.Refused(RefusedAmbiguous)
		oauthhttp.WriteError(w, http.StatusUnauthorized, "invalid_request", "The request carries more than one "+CookieName+" cookie (one set for a parent domain by another host?); the relay will not guess which is yours.")
	case err == errExpiredCookie:
		rl.apply(w, origin, cookieAction{op: clearCookie})
		oauthhttp.WriteError(w, relayapi.StatusReauthenticate, "invalid_grant", "The refresh cookie expired: sign in again.")
	case err != nil:
		rl.answerUnopened(w, err)
	case s == nil:
		oauthhttp.WriteError(w, relayapi.StatusReauthenticate, "invalid_grant", "There is no refresh cookie: sign in again.")
	default:
		return s, old, true
	}
	return nil, false, false
}

// loopbackHost reports whether a Host header names a loopback host
// (form.LoopbackHost), with or without a port.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	return form.LoopbackHost(host)
}
