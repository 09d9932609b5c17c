package relay

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gotoauth/wasm/relayapi"
	"gotoauth/web/relay/store"
	"gotoauth/web/relay/store/redistest"
)

// A cookie key rotated across three instances one at a time, in the order
// an operator's rolling deploy takes: each instance in turn restarts with
// the new key as current and the old one as old, then, once every cookie
// has been sealed again, each in turn drops the old key. A page refreshes
// round-robin through the instances all along, GoTo rotating refresh
// tokens as it goes, and retries a 503 on the next instance as the page
// does: no refresh ends signed out, each succeeds within three tries, and
// every 503 is the documented retryable answer. After each rotation, a
// late request with the rotated-out cookie (another tab's) gets the
// remembered answer on every instance that can open it, whatever its
// current key: instances share refresh locks and answers across keys. Run on Redis, as
// instances share it, and on one Memory shared in the process.
func TestRollingKeyRotation(t *testing.T) {
	for _, name := range []string{"redis", "memory"} {
		t.Run(name, func(t *testing.T) {
			shared := store.NewMemory(nil)
			newStore := func() store.Store { return shared }
			if name == "redis" {
				srv := redistest.Start(t)
				newStore = func() store.Store { return newRedisStore(t, srv) }
			}
			v := newEnv(t, func(c *Config) { c.Store = newStore() })
			k1, k2 := testKey, bytes.Repeat([]byte{8}, KeySize)
			ins := make([]*instance, 3)
			for i := range ins {
				ins[i] = v.instance(t, k1, nil, newStore())
			}
			p := &page{t: t, v: v, ins: ins}
			p.cookie = v.signIn()
			v.up.set(func(g *fakeGoTo) { g.rotate = true })
			p.refreshAround()

			for i := range ins { // the new key, one instance at a time
				ins[i] = v.instance(t, k2, [][]byte{k1}, newStore())
				p.refreshAround()
			}
			if strings.HasPrefix(p.cookie, KeyID(k1)) {
				t.Fatal("the cookie was not sealed again with the new key")
			}
			for i := range ins { // the old key retired, one at a time
				ins[i] = v.instance(t, k2, nil, newStore())
				p.refreshAround()
			}
			if p.retries == 0 {
				t.Error("no refresh met an instance without the new key: the test tests nothing")
			}
			if !strings.Contains(v.logs.String(), "sealed with key "+KeyID(k2)+", which another instance holds and this one lacks") {
				t.Errorf("the log does not name the missing key: %s", v.logs)
			}
		})
	}
}

// page is a page refreshing through the instances round-robin, as a load
// balancer would spread its requests.
type page struct {
	t       *testing.T
	v       *env
	ins     []*instance
	next    int
	cookie  string
	retries int
}

// refreshAround refreshes once on each instance's turn, six times.
func (p *page) refreshAround() {
	p.t.Helper()
	for range 2 * len(p.ins) {
		p.refresh()
	}
}

// refresh is one refresh as the page makes it: a 503 with Retry-After is
// sent again (to whichever instance is next), at most three tries in all.
func (p *page) refresh() {
	p.t.Helper()
	for try := 0; try < 3; try++ {
		in := p.ins[p.next%len(p.ins)]
		p.next++
		rec := p.v.do(req{path: "/relay/refresh", cookie: p.cookie, on: in})
		switch rec.Code {
		case 200:
			if c := gotCookie(p.t, rec); c != nil {
				p.late(p.cookie, c.Value)
				p.cookie = c.Value
			}
			return
		case relayapi.StatusRetry:
			wantRetry(p.t, rec)
			p.retries++
			continue
		}
		p.t.Fatalf("refresh on instance %d: %d %s", (p.next-1)%len(p.ins), rec.Code, rec.Body)
	}
	p.t.Fatal("three tries in a row answered 503")
}

// late sends the rotated-out cookie old to every instance: each answers
// with the new cookie from memory, or 503 when it lacks old's key; none
// sends the dead refresh token to GoTo.
func (p *page) late(old, new string) {
	p.t.Helper()
	hits := p.v.up.hits.Load()
	for i, in := range p.ins {
		rec := p.v.do(req{path: "/relay/refresh", cookie: old, on: in})
		switch {
		case rec.Code == relayapi.StatusRetry:
			wantRetry(p.t, rec)
		case rec.Code != 200 || gotCookie(p.t, rec) == nil || gotCookie(p.t, rec).Value != new:
			p.t.Fatalf("the rotated-out cookie on instance %d: %d %s %q", i, rec.Code, rec.Body, rec.Header().Get("Set-Cookie"))
		}
	}
	if h := p.v.up.hits.Load(); h != hits {
		p.t.Fatalf("a rotated-out refresh token reached GoTo %d times", h-hits)
	}
}

// wantRetry checks relayapi's retryable answer: 503, Retry-After, the
// error temporarily_unavailable, and no cookie set or cleared.
func wantRetry(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	wantError(t, rec, relayapi.StatusRetry, relayapi.ErrorRetry)
	if rec.Header().Get("Retry-After") != "2" || rec.Header().Get("Set-Cookie") != "" {
		t.Fatalf("503 with %v", rec.Header())
	}
}

// An instance that lacks the key of a cookie that another instance holds:
// a sign-out there is not a success (503, the cookie kept, nothing
// ended), and the same sign-out on an instance with the key ends the
// sign-in everywhere. (Before, the instance cleared the cookie, answered
// 204 and ended nothing, and the cookie went on refreshing elsewhere.)
func TestSignoutWithoutTheKey(t *testing.T) {
	v := newEnv(t, nil)
	k2 := bytes.Repeat([]byte{8}, KeySize)
	rolled := v.instance(t, k2, [][]byte{testKey}, v.rl.store)
	cookie := v.signIn()
	v.up.set(func(g *fakeGoTo) { g.rotate = true })
	rec := v.do(req{path: "/relay/refresh", cookie: cookie, on: rolled})
	if rec.Code != 200 || gotCookie(t, rec) == nil {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	cookie = gotCookie(t, rec).Value // sealed with k2, which v lacks
	rec = v.do(req{path: "/relay/signout", cookie: cookie})
	wantRetry(t, rec)
	rec = v.do(req{path: "/relay/refresh", cookie: cookie, on: rolled})
	if rec.Code != 200 {
		t.Fatalf("the sign-out that answered 503 ended something: %d %s", rec.Code, rec.Body)
	}
	rec = v.do(req{path: "/relay/signout", cookie: cookie, on: rolled})
	if rec.Code != 204 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	wantCleared(t, rec)
	wantError(t, v.do(req{path: "/relay/refresh", cookie: cookie, on: rolled}), 401, "invalid_grant")
}

// What a forged key id gets its sender: a retry only while some instance
// really holds that key and this one does not; once the key is retired
// (no instance has announced it for keyAnnounceTTL), 401; a key id this
// instance holds on a cookie that does not open, or a cookie that is not
// well-formed, 401 at once. A sign-out of a cookie no instance can open
// has nothing to end: cleared, 204.
func TestForgedKeyID(t *testing.T) {
	v := newEnv(t, nil)
	k2 := bytes.Repeat([]byte{8}, KeySize)
	rolled := v.instance(t, k2, [][]byte{testKey}, v.rl.store)
	good, _ := rolled.rl.seal.seal("rt-x", testSignIn, v.clk.Now())
	_, body, _ := strings.Cut(good, ".")
	hits := v.up.hits.Load()

	// rolled has not sealed anything yet: k2 is not announced.
	wantError(t, v.refresh(good), 401, "invalid_grant")
	rolled.rl.Ready(t.Context()) // announces
	wantRetry(t, v.refresh(good))
	// Made up: a key id nobody announced; one v holds, on another body.
	for name, c := range map[string]string{
		"unknown id":      "0123456789abcdef." + body,
		"v's own id":      KeyID(testKey) + "." + body,
		"malformed id":    "0123456789ABCDEF." + body,
		"id without body": KeyID(k2) + ".",
		"id, short body":  KeyID(k2) + "." + body[:20],
		"not a cookie":    "hello",
	} {
		rec := v.refresh(c)
		wantError(t, rec, 401, "invalid_grant")
		if rec.Header().Get("Set-Cookie") != "" {
			t.Errorf("%s: cleared", name)
		}
		rec = v.do(req{path: "/relay/signout", cookie: c})
		if rec.Code != 204 {
			t.Errorf("%s: sign-out %d %s", name, rec.Code, rec.Body)
		}
	}
	// The key retired everywhere: past keyAnnounceTTL, no more retries.
	v.clk.advance(keyAnnounceTTL)
	wantError(t, v.refresh(good), 401, "invalid_grant")
	if v.up.hits.Load() != hits {
		t.Error("a cookie that did not open reached GoTo")
	}
}

// A cookie sealed before cookies carried a key id (v2) still refreshes,
// and comes back sealed again in the current format, with the same
// sign-in and expiry: upgrading the relay signs no one out.
func TestLegacyCookieSealedAgain(t *testing.T) {
	v := newEnv(t, nil)
	v.up.set(func(g *fakeGoTo) { g.live["rt-legacy"] = true })
	v2 := sealV2(t, testKey, "rt-legacy", v.clk.Now())
	v.clk.advance(time.Hour)
	rec := v.refresh(v2)
	c := gotCookie(t, rec)
	if rec.Code != 200 || c == nil || !strings.HasPrefix(c.Value, KeyID(testKey)+".") {
		t.Fatalf("%d %s %v", rec.Code, rec.Body, rec.Header())
	}
	s, old, err := v.rl.seal.open(c.Value, v.clk.Now())
	if err != nil || old || s.token != "rt-legacy" || s.signIn != testSignIn || !s.expires.Equal(v.clk.Now().Add(RefreshLifetime-time.Hour)) {
		t.Fatalf("sealed again: %+v %v %v", s, old, err)
	}
}
