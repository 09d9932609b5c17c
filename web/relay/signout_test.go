package relay

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gotoauth/wasm/client"
	"gotoauth/web/relay/store"
)

// A sign-out that arrives while a refresh is with GoTo holds: the refresh's
// answer, though GoTo rotated, sets no working cookie, and every cookie of
// the sign-in (the one in hand, the one rotated out, the one GoTo's answer
// brought) is refused afterwards without GoTo. (Before, the refresh's
// answer set a new, working cookie after the sign-out.)
func TestSignoutDuringRefresh(t *testing.T) {
	v := newEnv(t, nil)
	old := v.signIn()
	v.up.set(func(g *fakeGoTo) { g.rotate = true })
	cur := gotCookie(t, v.refresh(old)).Value // a first rotation: old is now rotated out

	waitProceed, openProceed := newGate(t)
	v.up.set(func(g *fakeGoTo) { g.before = waitProceed })
	v.clk.advance(rotationMemory) // past the memory: the next refresh goes to GoTo
	inflight := make(chan *httptest.ResponseRecorder)
	go func() { inflight <- v.refresh(cur) }()
	v.waitForInflight(t)
	// The exchange, the first refresh, this one.
	waitUntil(t, "the refresh is with GoTo", func() bool { return v.up.hits.Load() == 3 })

	out := v.do(req{path: "/relay/signout", cookie: cur})
	if out.Code != 204 {
		t.Fatalf("signout: %d %s", out.Code, out.Body)
	}
	wantCleared(t, out)
	openProceed()
	rec := <-inflight
	wantError(t, rec, 401, "invalid_grant")
	wantCleared(t, rec)
	if v.up.hits.Load() != 3 {
		t.Fatalf("%d requests to GoTo", v.up.hits.Load())
	}
	v.up.set(func(g *fakeGoTo) { g.before = nil })
	// GoTo rotated in that refresh: its new token exists, in no cookie the
	// page can use. Sealed by hand, as the relay would have, it is refused.
	v.up.mu.Lock()
	newest := v.up.issued[len(v.up.issued)-1]
	v.up.mu.Unlock()
	brought, _ := v.rl.seal.seal(newest, v.signInOf(cur), v.clk.Now())
	for name, c := range map[string]string{"rotated out": old, "signed out": cur, "brought by the refresh": brought} {
		rec := v.refresh(c)
		wantError(t, rec, 401, "invalid_grant")
		if v.up.hits.Load() != 3 {
			t.Fatalf("%s: reached GoTo", name)
		}
	}
	// Another sign-in of the same browser is untouched.
	if rec := v.refresh(v.signIn()); rec.Code != 200 {
		t.Fatalf("another sign-in: %d %s", rec.Code, rec.Body)
	}
}

// Twenty refreshes in flight with one cookie and a sign-out among them: all
// twenty are refused, GoTo is asked once.
func TestSignoutAgainstCoalesced(t *testing.T) {
	v := newEnv(t, nil)
	cookie := v.signIn()
	waitProceed, openProceed := newGate(t)
	v.up.set(func(g *fakeGoTo) {
		g.rotate = true
		g.before = waitProceed
	})
	const n = 20
	var wg sync.WaitGroup
	recs := make([]*httptest.ResponseRecorder, n)
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); recs[i] = v.refresh(cookie) }()
	}
	v.waitForWaiters(t, n-1)
	if rec := v.do(req{path: "/relay/signout", cookie: cookie}); rec.Code != 204 {
		t.Fatalf("signout: %d", rec.Code)
	}
	openProceed()
	wg.Wait()
	for i, rec := range recs {
		if rec.Code != 401 || strings.Contains(rec.Header().Get("Set-Cookie"), "Max-Age=2") {
			t.Errorf("caller %d: %d %q", i, rec.Code, rec.Header().Get("Set-Cookie"))
		}
	}
	if h := v.up.hits.Load(); h != 2 {
		t.Errorf("%d requests to GoTo", h)
	}
}

// A store that cannot be reached: refreshes and sign-outs answer 503 with
// Retry-After, nothing reaches GoTo, and the cookie stays.
func TestStoreUnreachable(t *testing.T) {
	st := &failingStore{Memory: store.NewMemory(nil)}
	v := newEnv(t, func(c *Config) { c.Store = st })
	cookie := v.signIn()
	st.set(true)
	hits := v.up.hits.Load()
	for _, path := range []string{"/relay/refresh", "/relay/signout"} {
		rec := v.do(req{path: path, cookie: cookie})
		wantError(t, rec, 503, "temporarily_unavailable")
		if rec.Header().Get("Retry-After") == "" || rec.Header().Get("Set-Cookie") != "" {
			t.Errorf("%s: %v", path, rec.Header())
		}
	}
	if v.rl.Ready(context.Background()) == nil {
		t.Error("Ready with the store away")
	}
	if v.up.hits.Load() != hits {
		t.Fatal("a request reached GoTo without the store")
	}
	st.set(false)
	if v.rl.Ready(context.Background()) != nil {
		t.Error("not Ready with the store back")
	}
	if rec := v.refresh(cookie); rec.Code != 200 {
		t.Fatalf("store back: %d %s", rec.Code, rec.Body)
	}
}

// failingStore is a Memory that fails while down is set.
type failingStore struct {
	*store.Memory
	mu   sync.Mutex
	down bool
}

func (f *failingStore) set(down bool) { f.mu.Lock(); f.down = down; f.mu.Unlock() }

func (f *failingStore) err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errStoreDown
	}
	return nil
}

var errStoreDown = &url.Error{Op: "dial", URL: "redis://store", Err: context.DeadlineExceeded}

func (f *failingStore) Claim(ctx context.Context, key, signIn string, hold time.Duration) (store.Claim, error) {
	if err := f.err(); err != nil {
		return store.Claim{}, err
	}
	return f.Memory.Claim(ctx, key, signIn, hold)
}

func (f *failingStore) End(ctx context.Context, signIn string, ttl time.Duration) error {
	if err := f.err(); err != nil {
		return err
	}
	return f.Memory.End(ctx, signIn, ttl)
}

func (f *failingStore) Ping(ctx context.Context) error { return f.err() }

// A refresh whose store fails after GoTo answered fails closed: 503, no
// cookie, the lock released.
func TestStoreFailsWhileFinishing(t *testing.T) {
	st := &failingStore{Memory: store.NewMemory(nil)}
	v := newEnv(t, func(c *Config) { c.Store = &finishFails{st} })
	cookie := v.signIn()
	v.up.set(func(g *fakeGoTo) { g.before = func() { st.set(true) } })
	rec := v.refresh(cookie)
	wantError(t, rec, 503, "temporarily_unavailable")
	if rec.Header().Get("Set-Cookie") != "" || rec.Header().Get("Retry-After") == "" {
		t.Errorf("%v", rec.Header())
	}
	v.up.set(func(g *fakeGoTo) { g.before = nil })
	st.set(false)
	v.clk.advance(failureMemory)
	if rec := v.refresh(cookie); rec.Code != 200 {
		t.Fatalf("store back: %d %s", rec.Code, rec.Body)
	}
}

// finishFails makes leases fail while its store is down.
type finishFails struct{ *failingStore }

func (f *finishFails) Claim(ctx context.Context, key, signIn string, hold time.Duration) (store.Claim, error) {
	c, err := f.failingStore.Claim(ctx, key, signIn, hold)
	if c.Lease != nil {
		c.Lease = &failingLease{c.Lease, f.failingStore}
	}
	return c, err
}

type failingLease struct {
	store.Lease
	f *failingStore
}

func (l *failingLease) Finish(ctx context.Context, result []byte, ttl time.Duration) (bool, error) {
	err := l.f.err()
	ended, _ := l.Lease.Finish(ctx, nil, 0) // released all the same, as a lease expires
	if err != nil {
		return false, err
	}
	return ended, nil
}

// A sign-out revokes the refresh token at the revocation endpoint when one
// is configured (RFC 7009 §2.1), with GoTo's Basic authentication; a
// revocation endpoint that fails or stalls is logged without the token and
// the sign-out holds all the same.
func TestSignoutRevokes(t *testing.T) {
	var mu sync.Mutex
	var forms []url.Values
	var auths []string
	status := 200
	stall := make(chan struct{})
	stalling := false
	rev := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		forms = append(forms, r.PostForm)
		auths = append(auths, r.Header.Get("Authorization"))
		st, stl := status, stalling
		mu.Unlock()
		if stl {
			<-stall
		}
		w.WriteHeader(st)
	}))
	defer rev.Close()
	defer close(stall)
	v := newEnv(t, func(c *Config) {
		c.RevocationEndpoint = rev.URL + "/oauth/revoke"
		c.Timeout = 200 * time.Millisecond // bounds the revocation too
	})
	for i, mode := range []string{"ok", "fails", "stalls"} {
		mu.Lock()
		status, stalling = map[string]int{"ok": 200, "fails": 503, "stalls": 200}[mode], mode == "stalls"
		mu.Unlock()
		cookie := v.signIn()
		v.up.mu.Lock()
		rt := v.up.issued[len(v.up.issued)-1]
		v.up.mu.Unlock()
		rec := v.do(req{path: "/relay/signout", cookie: cookie})
		if rec.Code != 204 {
			t.Fatalf("%s: %d %s", mode, rec.Code, rec.Body)
		}
		wantCleared(t, rec)
		mu.Lock()
		f, a := forms[i], auths[i]
		mu.Unlock()
		if f.Encode() != (url.Values{"token": {rt}, "token_type_hint": {"refresh_token"}}).Encode() || a != client.BasicAuth(clientID, secret) {
			t.Errorf("%s: revocation %v %q", mode, f, a)
		}
		wantError(t, v.refresh(cookie), 401, "invalid_grant")
	}
	logs := v.logs.String()
	if !strings.Contains(logs, "revocation endpoint answered HTTP 503") || !strings.Contains(logs, "did not answer within") {
		t.Errorf("log %q", logs)
	}
	// checkNoLeaks, at cleanup, holds the log to having no token.
}

// Without a revocation endpoint nothing is revoked, and an http endpoint
// off loopback is refused.
func TestRevocationEndpointChecked(t *testing.T) {
	for _, bad := range []string{"http://goto.example/oauth/revoke", "https://user:pw@goto.example/revoke", "ftp://x"} {
		if _, err := New(Config{ClientID: clientID, ClientSecret: secret, AllowedOrigins: []string{origin}, CookieKey: testKey, RevocationEndpoint: bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
