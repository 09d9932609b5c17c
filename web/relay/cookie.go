package relay

import (
	"net"
	"net/http"
	"time"

	"gotoauth/wasm/form"
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
func (rl *Relay) sealCookie(token string, now time.Time) cookieAction {
	value, expires := rl.seal.seal(token, now)
	if len(CookieName)+1+len(value) > maxCookieBytes {
		rl.log.Printf("relay: GoTo's refresh token (%d bytes) is too large to keep in a cookie; the user will have to sign in again when the access token expires", len(token))
		return cookieAction{op: clearCookie}
	}
	return cookieAction{op: setCookie, value: value, expires: expires}
}

// apply writes a's Set-Cookie, if any. The cookie is HttpOnly (no script
// reads it), SameSite=Strict (no request another site starts carries it;
// the SameSite attribute of RFC 6265bis), limited to Path, and Secure unless
// the request came over plain http to a loopback host, where the local demo
// runs and a browser may refuse a Secure cookie.
func (rl *Relay) apply(w http.ResponseWriter, r *http.Request, a cookieAction) {
	c := &http.Cookie{
		Name:     CookieName,
		Path:     Path,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
		Secure:   !(r.TLS == nil && loopbackHost(r.Host)),
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

// maxCookiesTried bounds how many same-named cookies a request may make the
// relay try to open.
const maxCookiesTried = 4

// readCookie returns the first refresh cookie of the request that opens,
// and whether the request carried one by that name at all. A browser sends
// every cookie whose domain and path match, so a cookie set by a sibling
// host may sit beside the relay's; it does not open and is passed over.
// The error is errExpiredCookie when the relay's own cookie had expired.
func (rl *Relay) readCookie(r *http.Request) (*sealed, bool, error) {
	cookies := r.CookiesNamed(CookieName)
	err := errBadCookie
	for i, c := range cookies {
		if i == maxCookiesTried {
			break
		}
		s, e := rl.seal.open(c.Value, rl.now())
		if e == nil {
			return s, true, nil
		}
		if e == errExpiredCookie {
			err = e
		}
	}
	return nil, len(cookies) > 0, err
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
