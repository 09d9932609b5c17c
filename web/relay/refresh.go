package relay

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/relayapi"
	"gotoauth/web/oauthhttp"
	"gotoauth/web/relay/store"
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
//     it gets the same answer from memory: that is how the tabs of one page
//     keep to one GoTo refresh when a tab refreshes again just after
//     another (why it can, and why this memory settles it, is explained
//     once, at the top of web/gotoauth-session.js).
//
// And a sign-out ends the sign-in, not only the cookie in hand: every cookie
// carries its sign-in's id (seal.go), a sign-out records the id as ended
// (signout.go), and a refresh looks for that record before it asks GoTo,
// and again once GoTo has answered, so that neither the memory nor a
// refresh that was with GoTo during the sign-out puts a working cookie back.
//
// The lock, the memory and the ended sign-ins live in the store (package
// store): in this process by default, or in Redis that every instance
// shares (store/redisstore), where "the refresh with GoTo" may be on
// another instance. Then the refresh lock is the store's: one instance
// holds it and asks GoTo, and the others poll the store for its answer,
// bounded in time, and never send the refresh token themselves. Within one
// instance, refreshes with one cookie also share one walk to the store
// (rl.inflight). A store that cannot be reached is answered 503 with
// Retry-After and nothing is sent to GoTo (README: failure behaviour).
//
// No instance may send a refresh token while another may still be talking
// to GoTo with it, whatever the store does meanwhile: a lock that expired
// during a Redis stall would let a second instance send the token the
// first is still spending, and a GoTo that rotated it answers the second
// invalid_grant (one that detects reuse ends the whole sign-in). So the
// lock is not renewed while GoTo is asked (a renewal needs the very store
// that may be stalling); it is taken for a hold that covers the whole
// request: holdSlack for the claim's own round trip, then the relay's
// timeout, which bounds the request to GoTo. The hold is counted from
// before the claim was sent, so the store's clock starts it later, never
// earlier; and a claim that took longer than holdSlack less holdGuard is
// given back unused (fenced), since the request could outlast the lock.
// The price is that a lock whose holder died frees itself only after the
// hold; until then the others answer 503, as they would while waiting.
const (
	rotationMemory  = limits.RelayRotationMemory
	completedMemory = limits.RelayCompletedMemory
	// failureMemory keeps a failed refresh long enough for the callers
	// polling on other instances to find it; a retry soon after asks again.
	failureMemory = 2 * time.Second
	// pollInterval is how often a caller on an instance without the lock
	// looks for the holder's answer.
	pollInterval = 20 * time.Millisecond
	// holdSlack is what a refresh lock's hold adds to the relay's timeout:
	// the claim's round trip (a Redis store bounds it to a second) and
	// room to spare; holdGuard of it is never used, against the two
	// clocks running at slightly different rates.
	holdSlack = 3 * time.Second
	holdGuard = time.Second
)

// errSlowStore is a refresh lock granted too late to use.
var errSlowStore = errors.New("the store granted the refresh lock too late")

// refreshResult is one refresh's answer to every caller that shares it.
type refreshResult struct {
	status   int
	body     []byte
	cookie   cookieAction
	answered time.Time // when GoTo answered
	millis   bool      // expires_in is in milliseconds (outcome.millis)
	// ended reports the sign-in ended: the caller gets 401 instead.
	ended bool
	// err is the store's failure: the caller gets 503.
	err error
	// source is where the answer came from (Source*, observe.go).
	source string
	// token is body as this instance read and normalised it from GoTo
	// (outcome.token), nil for an answer opened from the store; it is
	// never stored.
	token *oauth.Token
}

// flight is a refresh that callers on this instance share.
type flight struct {
	done    chan struct{} // closed once res is set
	res     refreshResult
	waiters int // callers that joined; read by tests
}

// refresh answers POST /refresh: a new access token for the refresh cookie.
// A missing, unknown or expired cookie, more than one cookie, or a cookie
// of an ended sign-in is answered 401 without asking GoTo.
func (rl *Relay) refresh(w http.ResponseWriter, r *http.Request, origin string, _ []byte) {
	s, old, ok := rl.oneCookie(w, r, origin)
	if !ok {
		return
	}
	res, ok := rl.refreshOnce(r.Context(), s)
	rl.obs.Refreshed(r.Context(), cmp.Or(res.source, SourceNone)) // observe.go
	switch {
	case !ok:
		return // the page went away while waiting
	case res.err != nil:
		rl.unavailable(w, "refresh")
		return
	case res.ended:
		rl.apply(w, origin, cookieAction{op: clearCookie})
		oauthhttp.WriteError(w, relayapi.StatusReauthenticate, "invalid_grant", "This sign-in has ended: sign in again.")
		return
	}
	cookie := res.cookie
	if old && cookie.op == keepCookie && res.status >= 200 && res.status < 300 {
		// Opened with an old key: sealed again with the current one, the
		// same token, sign-in and expiry.
		cookie = rl.sealCookieUntil(s.token, s.signIn, s.expires)
	}
	rl.apply(w, origin, cookie)
	if res.status == relayapi.StatusRetry {
		w.Header().Set("Retry-After", strconv.Itoa(relayapi.RetryAfterSeconds))
	}
	body := res.body
	if res.status >= 200 && res.status < 300 {
		now := rl.now()
		if aged, ok := withAge(body, now.Sub(res.answered), res.millis); ok || res.token == nil {
			body = pageToken(aged, now)
		} else {
			body = pageTokenOf(res.token)
		}
	}
	oauthhttp.WriteJSON(w, res.status, body)
}

// unavailable answers 503 for a store that cannot be reached.
func (rl *Relay) unavailable(w http.ResponseWriter, what string) {
	retryLater(w, "The relay's store cannot be reached, so the "+what+" cannot be made safely now; retry shortly.")
}

// retryLater answers relayapi.StatusRetry: nothing was done, nothing is
// cleared, and the same request may succeed after Retry-After.
func retryLater(w http.ResponseWriter, desc string) {
	w.Header().Set("Retry-After", strconv.Itoa(relayapi.RetryAfterSeconds))
	oauthhttp.WriteError(w, relayapi.StatusRetry, relayapi.ErrorRetry, desc)
}

// refreshOnce returns the answer to refreshing s.token for s's sign-in:
// joined to the same refresh already under way on this instance, or
// walked through the store (lead). It reports false when ctx ended while
// waiting for another caller's refresh.
func (rl *Relay) refreshOnce(ctx context.Context, s *sealed) (refreshResult, bool) {
	tk := rl.keys.forToken(s.token)
	fk := tk.name + "/" + s.signIn.String()
	rl.mu.Lock()
	if f := rl.inflight[fk]; f != nil {
		f.waiters++
		rl.mu.Unlock()
		select {
		case <-f.done:
			return f.res.joined(), true
		case <-ctx.Done():
			return refreshResult{}, false
		}
	}
	f := &flight{done: make(chan struct{})}
	rl.inflight[fk] = f
	rl.mu.Unlock()

	// The walk does not hang on the page's request: a page that goes away
	// must not cancel a refresh that others wait on.
	res := rl.lead(tk, s)

	rl.mu.Lock()
	delete(rl.inflight, fk)
	f.res = res
	close(f.done)
	rl.mu.Unlock()
	return res, true
}

// lead walks the store for the refresh of s.token (keys tk): the
// sign-in ended, or a remembered answer, or the lock and then GoTo; while
// another holder has the lock, it polls, for at most the time the holder
// may take with GoTo and a little more.
func (rl *Relay) lead(tk *tokenKeys, s *sealed) (res refreshResult) {
	defer func() {
		if p := recover(); p != nil {
			rl.log.Printf("relay: internal error while refreshing: %v", p)
			res = refreshResult{status: http.StatusInternalServerError, body: oauthhttp.ErrorBody("server_error", "The relay failed while refreshing.")}
		}
	}()
	hold := rl.timeout + holdSlack
	deadline := time.Now().Add(hold + 2*time.Second) // a dead holder's lock frees itself first

	var waited time.Time                // when it began waiting for another holder
	defer rl.observeLead(&res, &waited) // observe.go
	for {
		claimed := time.Now()
		c, err := rl.store.Claim(context.Background(), tk.name, s.signIn.String(), hold)
		if err != nil {
			rl.log.Printf("relay: the store cannot be reached; refreshes answer 503: %v", err)
			return refreshResult{err: err}
		}
		// The store answers: announce this instance's keys when due
		// (keyid.go), not before the claim, which a store that cannot be
		// reached would slow down twice.
		rl.announceKeys(context.Background())
		switch {
		case c.Ended:
			return refreshResult{ended: true}
		case c.Result != nil:
			res, err := openAnswer(tk, c.Result)
			if err != nil {
				rl.log.Print("relay: " + err.Error())
				return refreshResult{err: err}
			}
			res.source = SourceMemory
			return res
		case c.Lease != nil:
			res := rl.sendAndFinish(tk, s, c.Lease, claimed)
			if res.err == errSlowStore {
				return res // GoTo was not asked
			}
			return res.from(SourceGoTo)
		}
		if time.Now().After(deadline) {
			return refreshResult{status: relayapi.StatusRetry, body: oauthhttp.ErrorBody(relayapi.ErrorRetry,
				"Another relay instance is refreshing this token and has not answered; retry shortly.")}
		}
		if waited.IsZero() {
			waited = time.Now()
		}
		time.Sleep(pollInterval)
	}
}

// sendAndFinish asks GoTo while holding the lock, leaves the answer in the
// store for the others and releases the lock. A sign-in ended while GoTo
// was asked gets nothing back; a store that fails here fails the refresh
// closed (README: failure behaviour).
//
// It sends only while the whole request to GoTo, bounded by the relay's
// timeout, ends within the lock's hold counted from claimed: a lock
// granted later than that is given back unused (the fencing check).
func (rl *Relay) sendAndFinish(tk *tokenKeys, s *sealed, l store.Lease, claimed time.Time) refreshResult {
	if took := time.Since(claimed); took >= holdSlack-holdGuard {
		l.Finish(context.Background(), nil, 0)
		rl.log.Printf("relay: the store took %v to grant a refresh lock, too long to send the refresh within the lock's hold; answered 503", took.Round(time.Millisecond))
		return refreshResult{err: errSlowStore}
	}
	finished := false
	defer func() {
		if !finished { // a panic: free the lock for the next caller
			l.Finish(context.Background(), nil, 0)
		}
	}()
	res, next := rl.sendRefresh(s)
	ttl := failureMemory
	switch {
	case res.cookie.op == setCookie:
		ttl = rotationMemory
	case res.status >= 200 && res.status < 300:
		ttl = completedMemory
	}
	ended, err := l.Finish(context.Background(), sealAnswer(tk, res), ttl)
	finished = true
	switch {
	case err != nil:
		rl.log.Printf("relay: the store failed while finishing a refresh; answered 503: %v", err)
		return refreshResult{err: err}
	case ended:
		if next != "" {
			rl.revokeLater(next) // a rotated token no one will ever hold
		}
		return refreshResult{ended: true}
	}
	return res
}

// sendRefresh asks GoTo (RFC 6749 §6) and decides the cookie: replaced when
// GoTo rotated the refresh token (next is the new one), cleared when GoTo
// says it is dead, kept otherwise (an answer without a refresh_token keeps
// the old one; so does any failure that says nothing about the token).
func (rl *Relay) sendRefresh(s *sealed) (res refreshResult, next string) {
	out := rl.post([][2]string{{"grant_type", relayapi.GrantType(relayapi.RefreshPath)}, {"refresh_token", s.token}})
	res = refreshResult{status: out.status, body: out.body, answered: rl.now(), millis: out.millis, token: out.token}
	switch {
	case out.issued && out.refresh != "" && out.refresh != s.token:
		res.cookie = rl.sealCookie(out.refresh, s.signIn, res.answered)
		next = out.refresh
	case oauth.DeadRefreshToken(out.gotoErr):
		res.cookie = cookieAction{op: clearCookie}
	}
	return res, next
}
