package relay

import (
	"context"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gotoauth/web/relay/store"
	"gotoauth/web/relay/store/redisstore"
	"gotoauth/web/relay/store/redistest"
)

// The relay on Redis, two instances of it sharing one redis-server that the
// test starts (redistest), in front of one fake GoTo.

// redisEnv is newEnv on Redis, and a second instance beside it.
func redisEnv(t *testing.T) (v *env, other *instance, srv *redistest.Server) {
	t.Helper()
	srv = redistest.Start(t)
	v = newEnv(t, func(c *Config) { c.Store = &pollCounter{newRedisStore(t, srv), new(atomic.Int64)} })
	return v, v.instance(t, testKey, nil, newRedisStore(t, srv)), srv
}

func newRedisStore(t *testing.T, srv *redistest.Server) *redisstore.Store {
	t.Helper()
	st, err := redisstore.NewFromURL(srv.URL(), redisstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// instance is another relay beside env's, on the same fake GoTo, clock and
// log, with a store of its own (or shared).
type instance struct {
	http.Handler
	rl *Relay
	// polls counts the claims that found the lock held elsewhere.
	polls atomic.Int64
}

// instance starts another relay with the cookie key and old keys given.
func (v *env) instance(t *testing.T, key []byte, old [][]byte, st store.Store) *instance {
	t.Helper()
	in := &instance{}
	rl, err := New(Config{
		ClientID: clientID, ClientSecret: secret,
		TokenEndpoint:  v.up.srv.URL + "/oauth/token",
		CookieKey:      key,
		OldCookieKeys:  old,
		AllowedOrigins: []string{origin},
		Logger:         log.New(v.logs, "", 0),
		Now:            v.clk.Now,
		HTTPClient:     v.up.srv.Client(),
		Store:          &pollCounter{st, &in.polls},
	})
	if err != nil {
		t.Fatal(err)
	}
	in.rl, in.Handler = rl, http.StripPrefix("/relay", rl)
	return in
}

// pollCounter counts the claims that come back empty: the caller polls.
type pollCounter struct {
	store.Store
	n *atomic.Int64
}

func (p *pollCounter) Claim(ctx context.Context, key, signIn string, hold time.Duration) (store.Claim, error) {
	c, err := p.Store.Claim(ctx, key, signIn, hold)
	if err == nil && !c.Ended && c.Result == nil && c.Lease == nil {
		p.n.Add(1)
	}
	return c, err
}

// While the holder's refresh is with GoTo, the other instance never takes
// the lock and never sends the refresh token: it polls for the holder's
// answer and gets the same access token and the same new cookie.
func TestRedisOtherInstanceWaits(t *testing.T) {
	v, other, srv := redisEnv(t)
	cookie := v.signIn()
	waitGoTo, openGoTo := newGate(t)
	v.up.set(func(g *fakeGoTo) {
		g.rotate = true
		g.before = waitGoTo
	})
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- v.refresh(cookie) }()
	waitUntil(t, "the holder's refresh is with GoTo", func() bool { return v.up.hits.Load() == 2 })
	second := make(chan *httptest.ResponseRecorder)
	go func() { second <- v.do(req{path: "/relay/refresh", cookie: cookie, on: other}) }()
	waitUntil(t, "the other instance polls", func() bool { return other.polls.Load() > 2 || v.up.hits.Load() > 2 })
	openGoTo()
	a, b := <-first, <-second
	if a.Code != 200 || b.Code != 200 {
		t.Fatalf("%d %s / %d %s", a.Code, a.Body, b.Code, b.Body)
	}
	if h := v.up.hits.Load(); h != 2 {
		t.Fatalf("GoTo was asked %d times", h)
	}
	ca, cb := gotCookie(t, a), gotCookie(t, b)
	if decode(t, a)["access_token"] != decode(t, b)["access_token"] || ca == nil || cb == nil || ca.Value != cb.Value {
		t.Fatalf("two answers: %s %q / %s %q", a.Body, a.Header().Get("Set-Cookie"), b.Body, b.Header().Get("Set-Cookie"))
	}
	// A late request with the old cookie on either instance: from memory.
	for _, h := range []http.Handler{v.h, other} {
		if rec := v.do(req{path: "/relay/refresh", cookie: cookie, on: h}); rec.Code != 200 || gotCookie(t, rec).Value != ca.Value {
			t.Fatalf("late: %d %s", rec.Code, rec.Body)
		}
	}
	if h := v.up.hits.Load(); h != 2 {
		t.Fatalf("GoTo was asked %d times", h)
	}
	// A dump of Redis holds no token and no cookie, and every key a TTL.
	v.do(req{path: "/relay/signout", cookie: ca.Value})
	rc := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rc.Close()
	ctx := context.Background()
	keys, err := rc.Keys(ctx, "*").Result()
	if err != nil || len(keys) < 2 {
		t.Fatalf("keys %v %v", keys, err)
	}
	var dump strings.Builder
	for _, k := range keys {
		val, _ := rc.Get(ctx, k).Result()
		dump.WriteString(k + "=" + val + "\n")
		if ttl, _ := rc.PTTL(ctx, k).Result(); ttl <= 0 {
			t.Errorf("%s has no TTL", k)
		}
	}
	v.up.mu.Lock()
	needles := append([]string{cookie, ca.Value, "at-"}, v.up.issued...)
	v.up.mu.Unlock()
	for _, n := range needles {
		if strings.Contains(dump.String(), n) {
			t.Errorf("Redis holds %q", n)
		}
	}
}

// Many refreshes with one cookie on both instances at once reach GoTo once.
func TestRedisCoalescedAcrossInstances(t *testing.T) {
	v, other, _ := redisEnv(t)
	cookie := v.signIn()
	waitGate, openGate := newGate(t)
	v.up.set(func(g *fakeGoTo) {
		g.rotate = true
		g.before = waitGate
	})
	const n = 20
	recs := make([]*httptest.ResponseRecorder, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := req{path: "/relay/refresh", cookie: cookie}
			if i%2 == 1 {
				r.on = other
			}
			recs[i] = v.do(r)
		}()
	}
	// Every caller piles up before GoTo answers: on each instance one
	// leads and the others join its flight, and the other instance's
	// leader polls for the answer, never sending the token itself.
	waitUntil(t, "the callers pile up", func() bool {
		return v.up.hits.Load() == 2 && flightWaiters(v.rl) == n/2-1 &&
			flightWaiters(other.rl) == n/2-1 && other.polls.Load()+v.rl.store.(*pollCounter).n.Load() > 0
	})
	openGate()
	wg.Wait()
	if h := v.up.hits.Load(); h != 2 {
		t.Fatalf("GoTo was asked %d times", h)
	}
	want := gotCookie(t, recs[0])
	for i, rec := range recs {
		if rec.Code != 200 || want == nil || gotCookie(t, rec).Value != want.Value {
			t.Errorf("caller %d: %d %s %q", i, rec.Code, rec.Body, rec.Header().Get("Set-Cookie"))
		}
	}
}

// A sign-out on one instance holds on the other, for every cookie of the
// sign-in, including against a refresh in flight there.
func TestRedisSignoutEverywhere(t *testing.T) {
	v, other, _ := redisEnv(t)
	cookie := v.signIn()
	waitGate, openGate := newGate(t)
	v.up.set(func(g *fakeGoTo) {
		g.rotate = true
		g.before = waitGate
	})
	inflight := make(chan *httptest.ResponseRecorder)
	go func() { inflight <- v.do(req{path: "/relay/refresh", cookie: cookie, on: other}) }()
	waitUntil(t, "the refresh is with GoTo", func() bool { return v.up.hits.Load() == 2 })
	if rec := v.do(req{path: "/relay/signout", cookie: cookie}); rec.Code != 204 {
		t.Fatalf("signout: %d %s", rec.Code, rec.Body)
	}
	openGate()
	rec := <-inflight
	wantError(t, rec, 401, "invalid_grant")
	wantCleared(t, rec)
	for _, h := range []http.Handler{v.h, other} {
		wantError(t, v.do(req{path: "/relay/refresh", cookie: cookie, on: h}), 401, "invalid_grant")
	}
	if h := v.up.hits.Load(); h != 2 {
		t.Fatalf("GoTo was asked %d times", h)
	}
}

// Redis killed while a refresh is with GoTo: that refresh fails closed
// (503, no cookie), every refresh and sign-out meanwhile answers 503 with
// Retry-After without asking GoTo, and all works again once Redis is back.
func TestRedisKilledMidRefresh(t *testing.T) {
	v, other, srv := redisEnv(t)
	cookie := v.signIn()
	waitGate, openGate := newGate(t)
	v.up.set(func(g *fakeGoTo) { g.before = waitGate })
	inflight := make(chan *httptest.ResponseRecorder)
	go func() { inflight <- v.refresh(cookie) }()
	waitUntil(t, "the refresh is with GoTo", func() bool { return v.up.hits.Load() == 2 })
	srv.Kill()
	openGate()
	rec := <-inflight
	wantError(t, rec, 503, "temporarily_unavailable")
	if rec.Header().Get("Retry-After") == "" || rec.Header().Get("Set-Cookie") != "" {
		t.Errorf("in flight: %v", rec.Header())
	}
	v.up.set(func(g *fakeGoTo) { g.before = nil })
	for _, h := range []http.Handler{v.h, other} {
		for _, path := range []string{"/relay/refresh", "/relay/signout"} {
			rec := v.do(req{path: path, cookie: cookie, on: h})
			wantError(t, rec, 503, "temporarily_unavailable")
			if rec.Header().Get("Retry-After") == "" || rec.Header().Get("Set-Cookie") != "" {
				t.Errorf("%s: %v", path, rec.Header())
			}
		}
	}
	if h := v.up.hits.Load(); h != 2 {
		t.Fatalf("GoTo was asked %d times without the lock", h)
	}
	srv.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec := v.refresh(cookie)
		if rec.Code == 200 {
			break
		}
		if rec.Code != 503 || time.Now().After(deadline) {
			t.Fatalf("after Redis came back: %d %s", rec.Code, rec.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if rec := v.do(req{path: "/relay/signout", cookie: cookie, on: other}); rec.Code != 204 {
		t.Fatalf("signout after Redis came back: %d", rec.Code)
	}
	wantError(t, v.refresh(cookie), 401, "invalid_grant")
}

// Redis stalls (DEBUG SLEEP) while one instance's refresh is with GoTo,
// longer than the store's timeout, so that no round trip of the holder's
// (a lease renewal, say) gets through meanwhile: the other instance must
// not take the lock afterwards and send the same refresh token. It waits,
// and both get the one answer GoTo gave. (Before, the lock was a 2-second
// lease renewed every third of it, and ran out during such a stall.)
func TestRedisStallDoesNotSendTwice(t *testing.T) {
	v, other, srv := redisEnv(t)
	cookie := v.signIn()
	waitGate, openGate := newGate(t)
	v.up.set(func(g *fakeGoTo) {
		g.rotate = true
		g.before = waitGate
	})
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- v.refresh(cookie) }()
	waitUntil(t, "the first refresh reaches GoTo", func() bool { return v.up.hits.Load() == 2 })
	if err := srv.Stall(2500 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	second := make(chan *httptest.ResponseRecorder)
	go func() { second <- v.do(req{path: "/relay/refresh", cookie: cookie, on: other}) }()
	waitUntil(t, "the second instance polls for the first's answer", func() bool {
		return other.polls.Load() > 0 || v.up.hits.Load() > 2
	})
	openGate()
	a, b := <-first, <-second
	if h := v.up.hits.Load(); h != 2 {
		t.Fatalf("GoTo was sent the refresh token %d times", h-1)
	}
	if a.Code != 200 || b.Code != 200 || gotCookie(t, a) == nil || gotCookie(t, b) == nil || gotCookie(t, a).Value != gotCookie(t, b).Value {
		t.Fatalf("%d %s %q / %d %s %q", a.Code, a.Body, a.Header().Get("Set-Cookie"), b.Code, b.Body, b.Header().Get("Set-Cookie"))
	}
}
