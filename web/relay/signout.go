package relay

import (
	"context"
	"errors"
	"net/http"
)

// signout answers POST /signout: the sign-in of the refresh cookie ends,
// on every instance that shares the store, and the cookie is cleared
// (Max-Age=0, with the attributes it was set with).
//
// Ending the sign-in, not only forgetting the cookie in hand, is what makes
// a sign-out stick: an older cookie of the same sign-in (rotated out a
// moment ago, still in another tab's request), and the new cookie that a
// refresh with GoTo during the sign-out will bring back, carry the same
// sign-in id and are refused from now on (refresh.go). The record lasts as
// long as any such cookie can (RefreshLifetime, and the clock skew
// allowed), so no cookie outlives it.
//
// A sign-out that cannot be recorded is never a success: a store that
// cannot record the end, or a cookie sealed with a key this instance lacks
// while another instance holds it (a key rotation under way; keyid.go),
// answers relayapi.StatusRetry (503, Retry-After) and leaves the cookie,
// so that the page sends the sign-out again. A cookie that no instance
// can open, or an expired one, has no sign-in left to end: it is cleared,
// 204. More than one cookie is refused as in /refresh, and nothing is
// cleared. With Config.RevocationEndpoint set, the refresh
// token is then revoked at GoTo (revoke.go); a failed revocation is logged
// and the sign-out still succeeds, as it has already ended the sign-in here.
func (rl *Relay) signout(w http.ResponseWriter, r *http.Request, origin string, _ []byte) {
	s, _, err := rl.readCookie(r)
	var missing *missingKeyError
	switch {
	case err == errAmbiguous:
		rl.obs.SignedOut("ambiguous")
		rl.oneCookie(w, r, origin) // answers the 401
		return
	case errors.As(err, &missing):
		if why := rl.retryMissingKey(w, missing.id, "sign-out"); why != "" {
			rl.obs.SignedOut(why)
			return
		}
	}
	if s != nil {
		if err := rl.store.End(context.Background(), s.signIn.String(), RefreshLifetime+maxSkew); err != nil {
			rl.log.Printf("relay: the store cannot be reached; sign-outs answer 503: %v", err)
			rl.obs.SignedOut("store_error")
			rl.unavailable(w, "sign-out")
			return
		}
		if rl.revoker != "" {
			rl.revoke(s.token)
		}
	}
	rl.obs.SignedOut(signOutOutcome(s)) // observe.go
	rl.apply(w, origin, cookieAction{op: clearCookie})
	w.WriteHeader(http.StatusNoContent)
}
