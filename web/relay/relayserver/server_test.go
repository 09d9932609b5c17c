package relayserver

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"gotoauth/wasm/limits"
	"gotoauth/web/relay"
	"gotoauth/web/relay/relayenv"
	"gotoauth/web/relay/store/redisstore"
	"gotoauth/web/relay/store/redistest"
)

func redisStore(t *testing.T, srv *redistest.Server) *redisstore.Store {
	st, err := redisstore.NewFromURL(srv.URL(), redisstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Readiness does not fail for the store that every instance shares: with
// Redis stopped, /readyz stays 200 and says the store is down, and so does
// the metric; /healthz is its alias.
func TestReadyWhileRedisIsDown(t *testing.T) {
	rs := redistest.Start(t)
	h := start(t, Options{MetricsAddr: "127.0.0.1:0"}, redisStore(t, rs), func(s *Server) { s.checkEvery = 20 * time.Millisecond })
	for _, p := range []string{ReadyzPath, HealthzPath} {
		if code, body := get(t, h.base+p); code != 200 || body != "ready\nstore: reachable\n" {
			t.Fatalf("%s: %d %q", p, code, body)
		}
	}
	rs.Stop()
	eventually(t, "the store reported down", func() bool {
		_, body := get(t, h.base+ReadyzPath)
		return strings.Contains(body, "store: unreachable")
	})
	for _, p := range []string{ReadyzPath, HealthzPath, LivezPath} {
		if code, _ := get(t, h.base+p); code != 200 {
			t.Errorf("%s: %d with the store down", p, code)
		}
	}
	if v := gauge(t, h, "gotoauth_relay_store_up"); v != 0 {
		t.Errorf("store_up %v", v)
	}
	if !strings.Contains(h.logs.String(), "the store cannot be reached") {
		t.Errorf("no log line for the store:\n%s", h.logs)
	}
	// Refreshes answer a clean 503 meanwhile.
	if resp, _ := h.post("refresh", "", relay.CookieName+"=x"); resp.StatusCode != 401 && resp.StatusCode != 503 {
		t.Errorf("refresh: %s", resp.Status)
	}
	rs.Restart()
	eventually(t, "the store reported back", func() bool {
		_, body := get(t, h.base+ReadyzPath)
		return strings.Contains(body, "store: reachable")
	})
	if !strings.Contains(h.logs.String(), "reachable again") {
		t.Errorf("no log line for the store's return:\n%s", h.logs)
	}
}

// Stopping: /readyz turns 503 at once, requests are still served during
// the drain, a refresh held by a slow GoTo when the stop came completes and
// its answer arrives, the lock is released in Redis, and Run returns nil.
func TestDrain(t *testing.T) {
	rs := redistest.Start(t)
	h := start(t, Options{Drain: 300 * time.Millisecond, ShutdownTimeout: 20 * time.Second}, redisStore(t, rs), nil)
	cookie := h.signIn("code-drain")
	h.up.hold()
	type answer struct {
		code int
		body string
	}
	got := make(chan answer, 1)
	go func() {
		resp, body := h.post("refresh", "", cookie)
		got <- answer{resp.StatusCode, body}
	}()
	eventually(t, "the refresh with GoTo", func() bool { return h.up.refreshs.Load() == 1 })
	h.cancel() // what SIGTERM does in serve.go
	eventually(t, "/readyz 503", func() bool {
		code, body := get(t, h.base+ReadyzPath)
		return code == 503 && strings.HasPrefix(body, "draining")
	})
	if code, _ := get(t, h.base+LivezPath); code != 200 {
		t.Error("/livez failed during the drain")
	}
	h.up.release()
	a := <-got
	if a.code != 200 || !strings.Contains(a.body, "at2-rt-code-drain") {
		t.Fatalf("the refresh in flight: %d %s", a.code, a.body)
	}
	select {
	case err := <-h.done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return")
	}
	h.done <- nil // for the cleanup
	c := redis.NewClient(&redis.Options{Addr: rs.Addr})
	defer c.Close()
	if keys, err := c.Keys(context.Background(), redisstore.DefaultPrefix+"lock:*").Result(); err != nil || len(keys) != 0 {
		t.Fatalf("locks left in Redis: %v %v", keys, err)
	}
	if !strings.Contains(h.logs.String(), "draining") || !strings.Contains(h.logs.String(), "stopped") {
		t.Errorf("logs:\n%s", h.logs)
	}
}

// The request id: a short token from the request is kept and echoed,
// anything else replaced by a fresh one.
func TestRequestID(t *testing.T) {
	h := start(t, Options{}, nil, nil)
	for in, keep := range map[string]bool{
		"abc-123_x.y:z":         true,
		"":                      false,
		strings.Repeat("a", 65): false,
		"a b":                   false,
		"a\"b":                  false,
	} {
		resp, _ := h.post("refresh", "", "", func(r *http.Request) { r.Header.Set(RequestIDHeader, in) })
		out := resp.Header.Get(RequestIDHeader)
		if keep && out != in || !keep && (out == in || len(out) < 18) {
			t.Errorf("%q → %q", in, out)
		}
	}
	if code, _ := get(t, h.base+LivezPath); code != 200 {
		t.Error("livez")
	}
	r, _ := http.NewRequest("POST", h.base+ReadyzPath, nil)
	if resp, err := http.DefaultClient.Do(r); err != nil || resp.StatusCode != 405 {
		t.Errorf("POST /readyz: %v %v", resp, err)
	}
}

func TestOptions(t *testing.T) {
	for _, o := range []Options{{LogFormat: "xml"}, {LogLevel: "loud"}, {MetricsAddr: "9090"}, {Drain: -1}} {
		if _, err := New(o, &syncBuffer{}); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

// -check-config: every mistake is listed, none of the secrets is shown, a
// good configuration passes, and Redis is tried once.
func TestCheckConfig(t *testing.T) {
	rs := redistest.Start(t)
	good := base64.StdEncoding.EncodeToString(key(t))
	env := func(m map[string]string) relayenv.Env {
		return relayenv.Env{Getenv: func(k string) string { return m[k] }, ReadFile: func(string) ([]byte, error) { return nil, context.Canceled }}
	}
	complete := func(c *relay.Config) { c.AllowedOrigins = []string{origin} }
	var out strings.Builder
	if !CheckConfig(&out, env(map[string]string{relay.EnvClientID: clientID, relay.EnvClientSecret: clientSecret,
		relay.EnvCookieKey: good, relay.EnvRedisURL: rs.URL()}), complete) {
		t.Fatalf("good configuration refused:\n%s", out.String())
	}
	for _, want := range []string{relay.EnvClientSecret + ": set", "Redis: reachable", "the configuration is good"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), clientSecret) || strings.Contains(out.String(), good) {
		t.Errorf("shows a secret:\n%s", out.String())
	}

	// The mistakes operators make, all at once: a cookie key of the wrong
	// length, an origin with a path, a Redis URL to nothing.
	out.Reset()
	if CheckConfig(&out, env(map[string]string{relay.EnvClientID: clientID, relay.EnvClientSecret: clientSecret,
		relay.EnvCookieKey: base64.StdEncoding.EncodeToString(make([]byte, 16)), relay.EnvRedisURL: "redis://127.0.0.1:1"}),
		func(c *relay.Config) { c.AllowedOrigins = []string{origin + "/app"} }) {
		t.Fatal("bad configuration passed")
	}
	if !strings.Contains(out.String(), "3 problem(s)") || !strings.Contains(out.String(), "decodes to 16 bytes") ||
		!strings.Contains(out.String(), "Redis cannot be used") || !strings.Contains(out.String(), "origin") {
		t.Errorf("not every problem:\n%s", out.String())
	}
	// rediss:// to a plain Redis (running), and an origin with a path.
	out.Reset()
	ok := CheckConfig(&out, env(map[string]string{relay.EnvClientID: clientID, relay.EnvClientSecret: clientSecret,
		relay.EnvCookieKey: good, relay.EnvRedisURL: "rediss://" + rs.Addr}), func(c *relay.Config) { c.AllowedOrigins = []string{origin + "/app"} })
	if ok || !strings.Contains(out.String(), "2 problem(s)") || !strings.Contains(out.String(), "needs a Redis that serves TLS") ||
		!strings.Contains(out.String(), "origin") {
		t.Fatalf("%v:\n%s", ok, out.String())
	}
}

// A stop waits long enough for a refresh that GoTo answers at the last
// moment of the relay's default timeout.
func TestShutdownTimeoutCoversARefresh(t *testing.T) {
	if DefaultShutdownTimeout <= limits.DefaultTimeout {
		t.Errorf("DefaultShutdownTimeout %v is not above the relay's timeout %v", DefaultShutdownTimeout, limits.DefaultTimeout)
	}
}
