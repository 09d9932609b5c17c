package relay

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

func TestRefreshKeepsCookie(t *testing.T) {
	v := newEnv(t, nil)
	cookie := v.signIn()
	for i := 0; i < 3; i++ {
		v.clk.advance(completedMemory) // past the memory of the last one
		rec := v.refresh(cookie)
		m := decode(t, rec)
		if rec.Code != 200 || m["access_token"] == nil {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if _, ok := m["refresh_token"]; ok {
			t.Fatalf("refresh_token in %s", rec.Body)
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
	s, err := v.rl.seal.open(c.Value, v.clk.Now())
	if err != nil || s.token != v.up.issued[1] {
		t.Fatalf("new cookie opens to %+v, %v", s, err)
	}
	first := rec.Body.String()
	hits := v.up.hits.Load()

	// The old cookie, 59 seconds later: the remembered answer, same cookie.
	v.clk.advance(59 * time.Second)
	again := v.refresh(old)
	if again.Code != 200 || again.Body.String() != first || gotCookie(t, again).Value != c.Value {
		t.Fatalf("old cookie after rotation: %d %s %q", again.Code, again.Body, again.Header().Get("Set-Cookie"))
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
	v.rl.mu.Lock()
	n := len(v.rl.recent)
	v.rl.mu.Unlock()
	if n != 1 { // the new cookie's refresh, remembered for completedMemory
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
	if rec.Code != 200 || rec.Header().Get("Set-Cookie") != "" || rec.Body.String() != `{"access_token":"a","token_type":"Bearer"}` {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
}

func TestRefreshDeadToken(t *testing.T) {
	v := newEnv(t, nil)
	// A GoToConnect refresh token: GoTo's unsupported.jwt.
	jive, _ := v.rl.seal.seal("jive-refresh", v.clk.Now())
	rec := v.refresh(jive)
	m := wantError(t, rec, 400, "invalid_request")
	if m["error_description"] != "unsupported.jwt" {
		t.Errorf("%s", rec.Body)
	}
	wantCleared(t, rec)

	// One GoTo no longer knows.
	dead, _ := v.rl.seal.seal("rt-unknown", v.clk.Now())
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
		rec = v.refresh(cookie)
		if rec.Code != 400 || rec.Body.String() != body || rec.Header().Get("Set-Cookie") != "" {
			t.Errorf("%s: %d %s %v", body, rec.Code, rec.Body, rec.Header())
		}
	}
}

// Cookies that do not open are refused 401 invalid_grant and cleared,
// without a word to GoTo.
func TestRefreshBadCookies(t *testing.T) {
	v := newEnv(t, nil)
	v.up.set(func(g *fakeGoTo) { g.live["rt-live"] = true })
	good, _ := v.rl.seal.seal("rt-live", v.clk.Now())
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	tampered := bytes.Clone(raw)
	tampered[len(tampered)-20] ^= 0x80

	otherKey := bytes.Clone(testKey)
	otherKey[31] ^= 1
	wrongKey, _ := mustSealer(t, otherKey, clientID).seal("rt-live", v.clk.Now())
	otherClient, _ := mustSealer(t, testKey, "another-client").seal("rt-live", v.clk.Now())
	expired, _ := v.rl.seal.seal("rt-live", v.clk.Now().Add(-RefreshLifetime))

	for name, value := range map[string]string{
		"tampered":     base64.RawURLEncoding.EncodeToString(tampered),
		"truncated":    good[:len(good)-3],
		"wrong key":    wrongKey,
		"other client": otherClient,
		"expired":      expired,
		"garbage":      "not-a-sealed-cookie",
	} {
		rec := v.refresh(value)
		m := wantError(t, rec, 401, "invalid_grant")
		wantCleared(t, rec)
		if name == "expired" && m["error_description"] != "The refresh cookie expired: sign in again." {
			t.Errorf("expired: %s", rec.Body)
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

	// A foreign cookie of the same name beside the relay's own (set by a
	// sibling host) is passed over.
	r := httptest.NewRequest("POST", "/relay/refresh", nil)
	r.Host = "127.0.0.1:8080"
	r.Header.Set("Origin", origin)
	r.Header.Set(CSRFHeader, "1")
	r.AddCookie(&http.Cookie{Name: CookieName, Value: "planted"})
	r.AddCookie(&http.Cookie{Name: CookieName, Value: good})
	w := httptest.NewRecorder()
	v.h.ServeHTTP(w, r)
	if w.Code != 200 || v.up.hits.Load() != 1 {
		t.Fatalf("beside a planted cookie: %d %s", w.Code, w.Body)
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

// waitForWaiters blocks until the one refresh in flight has n followers.
func (v *env) waitForWaiters(t *testing.T, n int) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		v.rl.mu.Lock()
		got := -1
		for _, f := range v.rl.inflight {
			got = f.waiters
		}
		v.rl.mu.Unlock()
		if got >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Errorf("the followers never all joined the flight")
}

// A caller that leaves while waiting does not disturb the others, and the
// first caller leaving does not cancel the request to GoTo.
func TestRefreshCallerLeaves(t *testing.T) {
	v := newEnv(t, nil)
	cookie := v.signIn()
	proceed := make(chan struct{})
	v.up.set(func(g *fakeGoTo) {
		g.rotate = true
		g.before = func() { <-proceed }
	})
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- v.refresh(cookie) }()
	// A follower whose page goes away.
	v.waitForInflight(t)
	r := httptest.NewRequest("POST", "/relay/refresh", nil)
	r.Header.Set("Origin", origin)
	r.Header.Set(CSRFHeader, "1")
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
	close(proceed)
	rec := <-first
	if rec.Code != 200 || gotCookie(t, rec) == nil {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
}

func (v *env) waitForInflight(t *testing.T) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		v.rl.mu.Lock()
		n := len(v.rl.inflight)
		v.rl.mu.Unlock()
		if n > 0 {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("no refresh in flight")
}

func TestRotationMemoryBounded(t *testing.T) {
	v := newEnv(t, nil)
	now := v.clk.Now()
	res := refreshResult{status: 200, body: make([]byte, 1000), rotated: true}
	v.rl.mu.Lock()
	defer v.rl.mu.Unlock()
	for i := range maxRotations + 50 {
		var h tokenHash
		h[0], h[1] = byte(i), byte(i>>8)
		v.rl.remember(h, res, now.Add(time.Duration(i)*time.Millisecond), rotationMemory)
	}
	if len(v.rl.recent) != maxRotations {
		t.Fatalf("%d remembered", len(v.rl.recent))
	}
	var first tokenHash // the oldest went first
	if v.rl.recent[first] != nil {
		t.Error("the oldest rotation was kept")
	}
	// The byte bound: entries of a megabyte each.
	big := refreshResult{status: 200, body: make([]byte, 1<<20), rotated: true}
	for i := range 40 {
		var h tokenHash
		h[2], h[3] = 1, byte(i)
		v.rl.remember(h, big, now.Add(time.Second), rotationMemory)
	}
	total := 0
	for _, m := range v.rl.recent {
		total += m.size
	}
	if v.rl.recentN != total || total > maxRotationBytes {
		t.Fatalf("%d bytes remembered, counted %d", total, v.rl.recentN)
	}
	// Expired entries go first.
	var h tokenHash
	h[4] = 1
	v.rl.remember(h, res, now.Add(time.Hour), rotationMemory)
	if len(v.rl.recent) != 1 {
		t.Errorf("%d entries survive their expiry", len(v.rl.recent))
	}
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
	// The old cookie is no longer answered from memory: it goes to GoTo,
	// which knows it is dead.
	hits := v.up.hits.Load()
	rec = v.refresh(old)
	wantError(t, rec, 400, "invalid_grant")
	if v.up.hits.Load() != hits+1 {
		t.Error("the signed-out rotation was answered from memory")
	}
	// Signing out without a cookie is fine too.
	rec = v.do(req{path: "/relay/signout"})
	if rec.Code != 204 {
		t.Fatalf("%d", rec.Code)
	}
	wantCleared(t, rec)
}

// Expired rotations, which hold access tokens, are dropped by later
// refreshes even when no rotation comes to push them out.
func TestRotationMemoryPurged(t *testing.T) {
	v := newEnv(t, nil)
	old := v.signIn()
	v.up.set(func(g *fakeGoTo) { g.rotate = true })
	next := gotCookie(t, v.refresh(old)).Value
	v.up.set(func(g *fakeGoTo) { g.rotate = false })
	oldHash := tokenHash(sha256.Sum256([]byte(v.up.issued[0])))
	count := func() int {
		v.rl.mu.Lock()
		defer v.rl.mu.Unlock()
		if v.rl.recent[oldHash] == nil {
			return 0
		}
		return 1
	}
	if count() != 1 {
		t.Fatalf("%d remembered", count())
	}
	v.clk.advance(rotationMemory)
	if rec := v.refresh(next); rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if count() != 0 {
		t.Fatal("an expired rotation outlived a later refresh")
	}
}

// A refresh that completed a moment ago is answered again from memory: a
// tab that refreshes just after another (its channel message not yet
// arrived) gets the same answer, and GoTo sees one refresh. Failures are
// not remembered, the memory ends after completedMemory, and signing out
// forgets it.
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
	if again.Code != 200 || again.Body.String() != first.Body.String() || again.Header().Get("Set-Cookie") != "" {
		t.Fatalf("within the memory: %d %s %v", again.Code, again.Body, again.Header())
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

	// A failure is not remembered: the next refresh asks GoTo again.
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
	if rec := v.refresh(cookie); rec.Code != 200 {
		t.Fatalf("after a failure: %d %s", rec.Code, rec.Body)
	}
	if v.up.hits.Load() != hits+1 {
		t.Fatal("a failed refresh was answered from memory")
	}

	// Signing out forgets the remembered answer.
	if rec := v.do(req{path: "/relay/signout", cookie: cookie}); rec.Code != 204 {
		t.Fatalf("signout: %d", rec.Code)
	}
	hits = v.up.hits.Load()
	v.refresh(cookie)
	if v.up.hits.Load() != hits+1 {
		t.Fatal("a signed-out cookie was answered from memory")
	}
}
