package relay

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gotoauth/wasm/relayapi"
	"gotoauth/web/relay/store"
)

func TestRefreshKeepsCookie(t *testing.T) {
	v := newEnv(t, nil)
	cookie := v.signIn()
	for i := 0; i < 3; i++ {
		v.clk.advance(completedMemory) // past the memory of the last one
		rec := v.refresh(cookie)
		m := decode(t, rec)
		if rec.Code != 200 || m["accessToken"] == nil {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if _, ok := m["refreshToken"]; ok {
			t.Fatalf("refreshToken in %s", rec.Body)
		}
		if c := rec.Header().Get("Set-Cookie"); c != "" {
			t.Fatalf("no rotation, yet Set-Cookie %q", c)
		}
	}
	f := v.up.lastForm()
	if f.Encode() != (url.Values{"grant_type": {"refresh_token"}, "refresh_token": {v.up.issued[0]}}).Encode() {
		t.Errorf("GoTo got %v", f)
	}
	if v.up.hits.Load() != 4 {
		t.Errorf("%d hits: refreshes without rotation are each sent", v.up.hits.Load())
	}
}

// GoTo sends a new refresh token: the cookie is replaced, and the old
// cookie, arriving a moment later, is answered from memory, never sent.
func TestRefreshRotation(t *testing.T) {
	v := newEnv(t, nil)
	old := v.signIn()
	v.up.set(func(g *fakeGoTo) { g.rotate = true })
	rec := v.refresh(old)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	c := gotCookie(t, rec)
	if c == nil || c.Value == old || c.MaxAge != int(RefreshLifetime/time.Second) || !c.HttpOnly || c.Path != Path {
		t.Fatalf("rotation did not replace the cookie: %q", rec.Header().Get("Set-Cookie"))
	}
	s, _, err := v.rl.seal.open(c.Value, v.clk.Now())
	if err != nil || s.token != v.up.issued[1] || s.signIn != v.signInOf(old) {
		t.Fatalf("new cookie opens to %+v, %v", s, err)
	}
	first := rec.Body.String()
	hits := v.up.hits.Load()

	// The old cookie, 59 seconds later: the remembered answer, same cookie.
	v.clk.advance(59 * time.Second)
	again := v.refresh(old)
	if again.Code != 200 || decode(t, again)["accessToken"] != decode(t, rec)["accessToken"] || gotCookie(t, again).Value != c.Value {
		t.Fatalf("old cookie after rotation: %d %s %q; first %s", again.Code, again.Body, again.Header().Get("Set-Cookie"), first)
	}
	// Its expiry is the one GoTo gave, 59 seconds later.
	if got := decode(t, again)["expiresIn"]; got != 3600.0-59 {
		t.Errorf("expiresIn from memory: %v", got)
	}
	if v.up.hits.Load() != hits {
		t.Fatal("the rotated-out token was sent to GoTo")
	}

	// The new cookie works on its own, and does not rotate again here.
	v.up.set(func(g *fakeGoTo) { g.rotate = false })
	if rec := v.refresh(c.Value); rec.Code != 200 || rec.Header().Get("Set-Cookie") != "" {
		t.Fatalf("new cookie: %d %v", rec.Code, rec.Header())
	}

	// Past the memory, the old token goes to GoTo, which says it is dead.
	v.clk.advance(2 * time.Second)
	late := v.refresh(old)
	wantError(t, late, 400, "invalid_grant")
	wantCleared(t, late)
	if n, _ := v.memory().Len(); n != 2 { // the new cookie's refresh for completedMemory, the failure for failureMemory
		t.Errorf("%d refreshes remembered, want 1", n)
	}
}

// GoTo answering with the refresh token it was sent is no rotation.
func TestRefreshSameTokenBack(t *testing.T) {
	v := newEnv(t, nil)
	cookie := v.signIn()
	rt := v.up.issued[0]
	v.up.set(func(g *fakeGoTo) {
		g.handle = func(w http.ResponseWriter, r *http.Request, form url.Values) {
			w.Write([]byte(`{"access_token":"a","token_type":"Bearer","refresh_token":"` + rt + `"}`))
		}
	})
	rec := v.refresh(cookie)
	if rec.Code != 200 || rec.Header().Get("Set-Cookie") != "" || rec.Body.String() != `{"accessToken":"a","tokenType":"Bearer","scope":[],"legacy":null}` {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

func TestRefreshDeadToken(t *testing.T) {
	v := newEnv(t, nil)
	// A GoToConnect refresh token: GoTo's unsupported.jwt.
	jive, _ := v.rl.seal.seal("jive-refresh", testSignIn, v.clk.Now())
	rec := v.refresh(jive)
	m := wantError(t, rec, 400, "invalid_request")
	if m["error_description"] != "unsupported.jwt" {
		t.Errorf("%s", rec.Body)
	}
	wantCleared(t, rec)

	// One GoTo no longer knows.
	dead, _ := v.rl.seal.seal("rt-unknown", testSignIn, v.clk.Now())
	rec = v.refresh(dead)
	wantError(t, rec, 400, "invalid_grant")
	wantCleared(t, rec)

	// Another invalid_request, or a client error, says nothing about the
	// token: the cookie stays.
	cookie := v.signIn()
	for _, body := range []string{
		`{"error":"invalid_request","error_description":"Missing grant_type."}`,
		`{"error":"invalid_client"}`,
	} {
		v.up.set(func(g *fakeGoTo) {
			g.handle = func(w http.ResponseWriter, r *http.Request, form url.Values) {
				w.WriteHeader(400)
				w.Write([]byte(body))
			}
		})
		v.clk.advance(failureMemory)
		rec = v.refresh(cookie)
		if rec.Code != 400 || rec.Body.String() != body || rec.Header().Get("Set-Cookie") != "" {
			t.Errorf("%s: %d %s %v", body, rec.Code, rec.Body, rec.Header())
		}
	}
}

// Cookies that do not open are refused 401 invalid_grant without a word to
// GoTo. Only an expired one is cleared: a cookie this instance cannot open
// may be one another instance can (a new key not yet everywhere).
func TestRefreshBadCookies(t *testing.T) {
	v := newEnv(t, nil)
	v.up.set(func(g *fakeGoTo) { g.live["rt-live"] = true })
	good, _ := v.rl.seal.seal("rt-live", testSignIn, v.clk.Now())
	id, raw := cookieBytes(t, good)
	tampered := bytes.Clone(raw)
	tampered[len(tampered)-20] ^= 0x80

	otherKey := bytes.Clone(testKey)
	otherKey[31] ^= 1
	wrongKey, _ := mustSealer(t, otherKey, clientID).seal("rt-live", testSignIn, v.clk.Now())
	otherClient, _ := mustSealer(t, testKey, "another-client").seal("rt-live", testSignIn, v.clk.Now())
	expired, _ := v.rl.seal.seal("rt-live", testSignIn, v.clk.Now().Add(-RefreshLifetime))

	for name, value := range map[string]string{
		"tampered":     cookieOf(id, tampered),
		"truncated":    good[:len(good)-3],
		"wrong key":    wrongKey,
		"other client": otherClient,
		"expired":      expired,
		"garbage":      "not-a-sealed-cookie",
	} {
		rec := v.refresh(value)
		m := wantError(t, rec, 401, "invalid_grant")
		if name == "expired" {
			wantCleared(t, rec)
			if m["error_description"] != "The refresh cookie expired: sign in again." {
				t.Errorf("expired: %s", rec.Body)
			}
		} else if c := rec.Header().Get("Set-Cookie"); c != "" {
			t.Errorf("%s: Set-Cookie %q", name, c)
		}
	}
	// No cookie at all: 401, nothing to clear.
	rec := v.refresh("")
	wantError(t, rec, 401, "invalid_grant")
	if rec.Header().Get("Set-Cookie") != "" {
		t.Error("cleared a cookie that was not sent")
	}
	if n := v.up.hits.Load(); n != 0 {
		t.Fatalf("bad cookies reached GoTo %d times", n)
	}

}

// Cookie tossing: a cookie of the relay's name set for a parent domain by a
// sibling host sits beside the relay's own. The relay does not pick one:
// 401 with an error that says why, nothing sent to GoTo, and no cookie
// cleared, so that planted cookies can neither sign the user into another
// account nor sign the user out. (Before, the first cookie that opened was
// used, and junk ahead of the real one had it cleared.)
func TestAmbiguousCookies(t *testing.T) {
	v := newEnv(t, nil)
	victim := v.signIn()
	attacker := v.signIn()
	hits := v.up.hits.Load()
	for name, values := range map[string][]string{
		"attacker's first": {attacker, victim},
		"victim's first":   {victim, attacker},
		"junk ahead":       {"junk1", "junk2", "junk3", "junk4", victim},
		"same twice":       {victim, victim},
	} {
		for _, path := range []string{"/relay/refresh", "/relay/signout"} {
			r := httptest.NewRequest("POST", path, nil)
			r.Header.Set("Origin", origin)
			r.Header.Set(relayapi.Header, "1")
			for _, c := range values {
				r.AddCookie(&http.Cookie{Name: CookieName, Value: c})
			}
			w := httptest.NewRecorder()
			v.h.ServeHTTP(w, r)
			m := decode(t, w)
			desc, _ := m["error_description"].(string)
			if w.Code != 401 || m["error"] != "invalid_request" || !strings.Contains(desc, "more than one") {
				t.Errorf("%s %s: %d %s", name, path, w.Code, w.Body)
			}
			if c := w.Header().Get("Set-Cookie"); c != "" {
				t.Errorf("%s %s: Set-Cookie %q", name, path, c)
			}
		}
	}
	if v.up.hits.Load() != hits {
		t.Error("an ambiguous request reached GoTo")
	}
	// The victim's sign-in was not ended by the refused sign-outs.
	if rec := v.refresh(victim); rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

// Twenty refreshes with one cookie, all in flight together, reach GoTo once
// and get one answer, and one new cookie when GoTo rotates. GoTo holds its
// answer until the relay has all nineteen followers waiting on the first.
func TestRefreshCoalesced(t *testing.T) {
	for _, rotate := range []bool{true, false} {
		name := "without rotation"
		if rotate {
			name = "with rotation"
		}
		t.Run(name, func(t *testing.T) {
			const n = 20
			v := newEnv(t, nil)
			cookie := v.signIn()
			v.up.hits.Store(0)
			v.up.set(func(g *fakeGoTo) {
				g.rotate = rotate
				g.before = func() { v.waitForWaiters(t, n-1) }
			})

			recs := make([]*httptest.ResponseRecorder, n)
			var start, done sync.WaitGroup
			start.Add(n)
			done.Add(n)
			for i := range n {
				go func() {
					defer done.Done()
					start.Done()
					start.Wait() // the barrier: all twenty start together
					recs[i] = v.refresh(cookie)
				}()
			}
			done.Wait()

			if h := v.up.hits.Load(); h != 1 {
				t.Fatalf("GoTo was asked %d times", h)
			}
			body, setCookie := recs[0].Body.String(), recs[0].Header().Get("Set-Cookie")
			if recs[0].Code != 200 || rotate != (setCookie != "") {
				t.Fatalf("%d %s %q", recs[0].Code, body, setCookie)
			}
			for i, rec := range recs {
				if rec.Code != 200 || rec.Body.String() != body || rec.Header().Get("Set-Cookie") != setCookie {
					t.Errorf("caller %d: %d %s %q; caller 0: %s %q", i, rec.Code, rec.Body, rec.Header().Get("Set-Cookie"), body, setCookie)
				}
			}
			v.rl.mu.Lock()
			inflight := len(v.rl.inflight)
			v.rl.mu.Unlock()
			if inflight != 0 {
				t.Errorf("%d flights left behind", inflight)
			}
			if rotate {
				// A straggler with the old cookie: from memory.
				late := v.refresh(cookie)
				if late.Body.String() != body || late.Header().Get("Set-Cookie") != setCookie || v.up.hits.Load() != 1 {
					t.Errorf("straggler: %s %q, %d hits", late.Body, late.Header().Get("Set-Cookie"), v.up.hits.Load())
				}
			}
		})
	}
}

// newGate returns a gate that wait blocks at until open is called. The
// test's cleanup opens it, before the fixture's, so that a test that fails
// while the fake GoTo holds an answer at the gate ends instead of hanging.
func newGate(t *testing.T) (wait, open func()) {
	ch := make(chan struct{})
	open = sync.OnceFunc(func() { close(ch) })
	t.Cleanup(open)
	return func() { <-ch }, open
}

// waitUntil polls cond until it holds, and fails the test when it does not
// within 10 seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !eventually(cond) {
		t.Fatalf("timed out waiting until %s", what)
	}
}

// eventually polls cond until it holds, for at most 10 seconds, and
// reports whether it did.
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// waitForWaiters blocks until the one refresh in flight has n followers.
// It may run in the fake GoTo's goroutine, so it reports with Errorf.
func (v *env) waitForWaiters(t *testing.T, n int) {
	if !eventually(func() bool { return flightWaiters(v.rl) >= n }) {
		t.Errorf("the followers never all joined the flight")
	}
}

// flightWaiters is how many callers joined rl's one refresh in flight; -1
// when none is.
func flightWaiters(rl *Relay) int {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	got := -1
	for _, f := range rl.inflight {
		got = f.waiters
	}
	return got
}

// A caller that leaves while waiting does not disturb the others, and the
// first caller leaving does not cancel the request to GoTo.
func TestRefreshCallerLeaves(t *testing.T) {
	v := newEnv(t, nil)
	cookie := v.signIn()
	waitProceed, openProceed := newGate(t)
	v.up.set(func(g *fakeGoTo) {
		g.rotate = true
		g.before = waitProceed
	})
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- v.refresh(cookie) }()
	// A follower whose page goes away.
	v.waitForInflight(t)
	r := httptest.NewRequest("POST", "/relay/refresh", nil)
	r.Header.Set("Origin", origin)
	r.Header.Set(relayapi.Header, "1")
	r.AddCookie(&http.Cookie{Name: CookieName, Value: cookie})
	ctx, cancel := context.WithCancel(r.Context())
	r = r.WithContext(ctx)
	left := make(chan *httptest.ResponseRecorder)
	go func() {
		w := httptest.NewRecorder()
		v.h.ServeHTTP(w, r)
		left <- w
	}()
	v.waitForWaiters(t, 1)
	cancel()
	<-left
	openProceed()
	rec := <-first
	if rec.Code != 200 || gotCookie(t, rec) == nil {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
}

func (v *env) waitForInflight(t *testing.T) {
	t.Helper()
	waitUntil(t, "a refresh is in flight", func() bool {
		v.rl.mu.Lock()
		defer v.rl.mu.Unlock()
		return len(v.rl.inflight) > 0
	})
}

func TestSignout(t *testing.T) {
	v := newEnv(t, nil)
	old := v.signIn()
	v.up.set(func(g *fakeGoTo) { g.rotate = true })
	rec := v.refresh(old)
	newCookie := gotCookie(t, rec).Value

	rec = v.do(req{path: "/relay/signout", cookie: newCookie})
	if rec.Code != 204 || rec.Body.Len() != 0 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	wantCleared(t, rec)
	// The sign-in is over: neither the old cookie (remembered as rotated)
	// nor the new one is answered, from memory or from GoTo.
	hits := v.up.hits.Load()
	for _, c := range []string{old, newCookie} {
		rec = v.refresh(c)
		wantError(t, rec, 401, "invalid_grant")
		wantCleared(t, rec)
	}
	if v.up.hits.Load() != hits {
		t.Error("a signed-out cookie reached GoTo")
	}
	// Nor days later, when the memory is long gone.
	v.clk.advance(29 * 24 * time.Hour)
	wantError(t, v.refresh(newCookie), 401, "invalid_grant")
	if v.up.hits.Load() != hits {
		t.Error("a signed-out cookie reached GoTo")
	}
	// Signing out without a cookie is fine too.
	rec = v.do(req{path: "/relay/signout"})
	if rec.Code != 204 {
		t.Fatalf("%d", rec.Code)
	}
	wantCleared(t, rec)
}

// A refresh that completed a moment ago is answered again from memory: a
// tab that refreshes just after another (its channel message not yet
// arrived) gets the same answer, with expires_in reduced by its age, and
// GoTo sees one refresh. Failures are remembered only for failureMemory,
// the memory ends after completedMemory, and signing out ends it.
func TestRefreshCompletedRemembered(t *testing.T) {
	v := newEnv(t, nil)
	cookie := v.signIn()
	first := v.refresh(cookie)
	if first.Code != 200 {
		t.Fatalf("%d %s", first.Code, first.Body)
	}
	hits := v.up.hits.Load()
	v.clk.advance(completedMemory - time.Second)
	again := v.refresh(cookie)
	fm, am := decode(t, first), decode(t, again)
	if again.Code != 200 || am["accessToken"] != fm["accessToken"] || again.Header().Get("Set-Cookie") != "" {
		t.Fatalf("within the memory: %d %s %v", again.Code, again.Body, again.Header())
	}
	if fm["expiresIn"] != 3600.0 || am["expiresIn"] != 3600.0-(completedMemory-time.Second).Seconds() {
		t.Errorf("expiresIn %v, then from memory %v", fm["expiresIn"], am["expiresIn"])
	}
	if v.up.hits.Load() != hits {
		t.Fatal("a refresh within completedMemory reached GoTo")
	}
	v.clk.advance(time.Second)
	if rec := v.refresh(cookie); rec.Code != 200 || rec.Body.String() == first.Body.String() {
		t.Fatalf("past the memory: %d %s", rec.Code, rec.Body)
	}
	if v.up.hits.Load() != hits+1 {
		t.Fatal("a refresh past completedMemory was not sent to GoTo")
	}

	// A failure is remembered for failureMemory only, for the callers
	// polling on other instances; then the next refresh asks GoTo again.
	v.clk.advance(completedMemory)
	v.up.set(func(g *fakeGoTo) {
		g.handle = func(w http.ResponseWriter, r *http.Request, form url.Values) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	if rec := v.refresh(cookie); rec.Code == 200 {
		t.Fatalf("GoTo failing: %d %s", rec.Code, rec.Body)
	}
	v.up.set(func(g *fakeGoTo) { g.handle = nil })
	hits = v.up.hits.Load()
	if rec := v.refresh(cookie); rec.Code != 502 || v.up.hits.Load() != hits {
		t.Fatalf("within failureMemory: %d %s", rec.Code, rec.Body)
	}
	v.clk.advance(failureMemory)
	if rec := v.refresh(cookie); rec.Code != 200 {
		t.Fatalf("after a failure: %d %s", rec.Code, rec.Body)
	}
	if v.up.hits.Load() != hits+1 {
		t.Fatal("a failed refresh was answered from memory")
	}

	// Signing out ends the remembered answer too.
	if rec := v.do(req{path: "/relay/signout", cookie: cookie}); rec.Code != 204 {
		t.Fatalf("signout: %d", rec.Code)
	}
	hits = v.up.hits.Load()
	wantError(t, v.refresh(cookie), 401, "invalid_grant")
	if v.up.hits.Load() != hits {
		t.Fatal("a signed-out cookie was answered")
	}
}

// A refresh lock that the store grants too late for the request to GoTo
// to end within the lock's hold is given back unused: 503 to retry,
// nothing sent to GoTo, the lock free for the next claim.
func TestLockGrantedTooLate(t *testing.T) {
	m := store.NewMemory(nil)
	slow := &slowClaims{Memory: m}
	v := newEnv(t, func(c *Config) { c.Store = slow })
	cookie := v.signIn()
	hits := v.up.hits.Load()
	slow.on.Store(true)
	wantRetry(t, v.refresh(cookie))
	if v.up.hits.Load() != hits || !strings.Contains(v.logs.String(), "too long to send the refresh") {
		t.Fatalf("%d requests to GoTo; log %s", v.up.hits.Load()-hits, v.logs)
	}
	if _, locks := m.Len(); locks != 0 {
		t.Fatal("the lock was kept")
	}
	slow.on.Store(false)
	if rec := v.refresh(cookie); rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

// slowClaims is a Memory whose claims, while on, come back only once the
// part of the hold a claim may take has passed (a store that stalls).
type slowClaims struct {
	*store.Memory
	on atomic.Bool
}

func (s *slowClaims) Claim(ctx context.Context, key, signIn string, hold time.Duration) (store.Claim, error) {
	start := time.Now()
	c, err := s.Memory.Claim(ctx, key, signIn, hold)
	for s.on.Load() && time.Since(start) < holdSlack-holdGuard {
		time.Sleep(10 * time.Millisecond)
	}
	return c, err
}
