package relay

import (
	"context"
	"crypto/sha256"
	"net/http"
	"time"

	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/relayapi"
	"gotoauth/web/oauthhttp"
)

// Refreshing, once per refresh token.
//
// GoTo answers a refresh without a refresh_token until the old one nears the
// end of its 30 days; then it sends a new one and the old one stops working
// ("Migrating to New Token Retrieval with authentication.logmeininc.com").
// A page with several tabs, or one that refreshes on several events at once,
// sends several refreshes with the same cookie. Were each sent to GoTo, the
// first to arrive after GoTo decided to rotate would get the new token and
// every other would spend the dead one and get invalid_grant, which clears
// the cookie: the browser would drop the new cookie as well, and the user
// would be signed out. So:
//
//   - Refreshes with the same refresh token while one is with GoTo wait for
//     it and get its answer: the same body and, when GoTo rotated, the same
//     sealed cookie. GoTo sees the token once.
//   - A request that arrives after the rotation still carrying the old
//     cookie (sent before its browser stored the new one, or by a tab whose
//     request crossed the answer) finds the rotation in a short memory,
//     "old token → the answer that rotated it", and gets that answer and
//     the new cookie without GoTo being asked. The memory lasts
//     rotationMemory and is bounded in entries and bytes.
//   - Every other successful refresh is remembered too, for the shorter
//     completedMemory: a refresh with the same cookie that arrives within
//     it gets the same answer from memory. Tabs of one page serialise their
//     refreshes with a Web Lock and tell each other the new token over a
//     BroadcastChannel, but the release of a lock and a channel message are
//     not ordered against each other: a tab that gets the lock just after
//     another refreshed may not have received the new token yet and
//     refreshes again. That late refresh reaches the relay within moments
//     of the first and is answered from this memory, so GoTo sees one
//     refresh and both tabs hold the same access token
//     (web/gotoauth-session.js relies on it).
//
// Both tables are keyed by the SHA-256 of the refresh token, never the token
// itself, and share rl.mu, under which a finished refresh leaves the in-flight
// table and enters the memory in one step: a request either joins the flight
// or finds the memory, never neither.
const (
	rotationMemory   = limits.RelayRotationMemory
	completedMemory  = limits.RelayCompletedMemory
	maxRotations     = 1024
	maxRotationBytes = 16 << 20
)

// tokenHash is the SHA-256 of a refresh token.
type tokenHash [sha256.Size]byte

// refreshResult is one refresh's answer to every caller that shares it.
type refreshResult struct {
	status  int
	body    []byte
	cookie  cookieAction
	rotated bool
	next    tokenHash // the new refresh token's hash, when rotated
}

// flight is a refresh being sent to GoTo.
type flight struct {
	done    chan struct{} // closed once res is set
	res     refreshResult
	waiters int // callers that joined; read by tests
}

// rotated is a remembered refresh: a rotation, or a completed refresh.
type rotated struct {
	res   refreshResult
	until time.Time
	size  int
}

// refresh answers POST /refresh: a new access token for the refresh cookie.
// A missing, tampered or expired cookie is answered 401 invalid_grant
// without asking GoTo.
func (rl *Relay) refresh(w http.ResponseWriter, r *http.Request, _ []byte) {
	s, present, err := rl.readCookie(r)
	if s == nil {
		desc := "There is no refresh cookie: sign in again."
		switch {
		case err == errExpiredCookie:
			desc = "The refresh cookie expired: sign in again."
		case present:
			desc = "The refresh cookie is not valid here: sign in again."
		}
		if present {
			rl.apply(w, r, cookieAction{op: clearCookie})
		}
		oauthhttp.WriteError(w, relayapi.StatusReauthenticate, "invalid_grant", desc)
		return
	}
	res, ok := rl.refreshOnce(r.Context(), s.token)
	if !ok {
		return // the page went away while waiting
	}
	rl.apply(w, r, res.cookie)
	oauthhttp.WriteJSON(w, res.status, res.body)
}

// refreshOnce returns the answer to refreshing token, from the rotation
// memory, from a refresh already with GoTo, or by asking GoTo. It reports
// false when ctx ended while waiting for another caller's refresh.
func (rl *Relay) refreshOnce(ctx context.Context, token string) (refreshResult, bool) {
	h := tokenHash(sha256.Sum256([]byte(token)))
	rl.mu.Lock()
	now := rl.now()
	if len(rl.recent) > 0 && !now.Before(rl.purgeAt) {
		// Expired answers hold access tokens: drop them now and then even
		// when no rotation comes to push them out.
		rl.purge(now)
		rl.purgeAt = now.Add(rotationMemory)
	}
	if m := rl.recent[h]; m != nil {
		if now.Before(m.until) {
			rl.mu.Unlock()
			return m.res, true
		}
		rl.forget(h)
	}
	if f := rl.inflight[h]; f != nil {
		f.waiters++
		rl.mu.Unlock()
		select {
		case <-f.done:
			return f.res, true
		case <-ctx.Done():
			return refreshResult{}, false
		}
	}
	f := &flight{done: make(chan struct{})}
	rl.inflight[h] = f
	rl.mu.Unlock()

	res := rl.sendRefresh(token)

	rl.mu.Lock()
	delete(rl.inflight, h)
	switch {
	case res.rotated:
		rl.remember(h, res, rl.now(), rotationMemory)
	case res.status >= 200 && res.status < 300:
		rl.remember(h, res, rl.now(), completedMemory)
	}
	f.res = res
	close(f.done)
	rl.mu.Unlock()
	return res, true
}

// sendRefresh asks GoTo (RFC 6749 §6) and decides the cookie: replaced when
// GoTo rotated the refresh token, cleared when GoTo says it is dead, kept
// otherwise (an answer without a refresh_token keeps the old one; so does
// any failure that says nothing about the token). A panic becomes a 500 so
// that the callers waiting on this refresh are answered.
func (rl *Relay) sendRefresh(token string) (res refreshResult) {
	defer func() {
		if p := recover(); p != nil {
			rl.log.Printf("relay: internal error while refreshing: %v", p)
			res = refreshResult{status: http.StatusInternalServerError, body: oauthhttp.ErrorBody("server_error", "The relay failed while refreshing.")}
		}
	}()
	out := rl.post([][2]string{{"grant_type", relayapi.GrantType(relayapi.RefreshPath)}, {"refresh_token", token}})
	res = refreshResult{status: out.status, body: out.body}
	switch {
	case out.issued && out.refresh != "" && out.refresh != token:
		res.cookie = rl.sealCookie(out.refresh, rl.now())
		res.rotated = true
		res.next = tokenHash(sha256.Sum256([]byte(out.refresh)))
	case oauth.DeadRefreshToken(out.gotoErr):
		res.cookie = cookieAction{op: clearCookie}
	}
	return res
}

// remember keeps a refresh's answer under the old token's hash for ttl
// (rotationMemory for a rotation, completedMemory otherwise), first dropping expired entries and then, while the memory
// is over its bounds, the oldest. Callers hold rl.mu.
func (rl *Relay) remember(h tokenHash, res refreshResult, now time.Time, ttl time.Duration) {
	size := len(res.body) + len(res.cookie.value) + 2*sha256.Size + 64
	if size > maxRotationBytes {
		return
	}
	rl.purge(now)
	for len(rl.recent) >= maxRotations || rl.recentN+size > maxRotationBytes {
		var oldest tokenHash
		var at time.Time
		first := true
		for k, m := range rl.recent {
			if first || m.until.Before(at) {
				oldest, at, first = k, m.until, false
			}
		}
		rl.forget(oldest)
	}
	rl.recent[h] = &rotated{res: res, until: now.Add(ttl), size: size}
	rl.recentN += size
}

// purge drops the remembered rotations that expired. Callers hold rl.mu.
func (rl *Relay) purge(now time.Time) {
	for k, m := range rl.recent {
		if !now.Before(m.until) {
			rl.forget(k)
		}
	}
}

// forget drops one remembered rotation. Callers hold rl.mu.
func (rl *Relay) forget(h tokenHash) {
	if m := rl.recent[h]; m != nil {
		rl.recentN -= m.size
		delete(rl.recent, h)
	}
}

// forgetToken drops every remembered rotation from or to token, so that a
// signed-out cookie, old or new, cannot be answered from memory. Callers
// hold rl.mu.
func (rl *Relay) forgetToken(token string) {
	h := tokenHash(sha256.Sum256([]byte(token)))
	for k, m := range rl.recent {
		if k == h || m.res.rotated && m.res.next == h {
			rl.forget(k)
		}
	}
}
