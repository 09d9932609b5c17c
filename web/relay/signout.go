package relay

import "net/http"

// signout answers POST /signout: the refresh cookie is cleared (Max-Age=0,
// with the attributes it was set with) and any remembered rotation of its
// refresh token is dropped, so that an older cookie for the same sign-in
// cannot be answered from memory afterwards. GoTo documents no revocation
// endpoint, so the refresh token itself stays valid at GoTo until it
// expires; with the cookie gone, nothing holds it any more.
func (rl *Relay) signout(w http.ResponseWriter, r *http.Request, _ []byte) {
	if s, _, _ := rl.readCookie(r); s != nil {
		rl.mu.Lock()
		rl.forgetToken(s.token)
		rl.mu.Unlock()
	}
	rl.apply(w, r, cookieAction{op: clearCookie})
	w.WriteHeader(http.StatusNoContent)
}
