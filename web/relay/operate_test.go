package relay

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"gotoauth/wasm/relayapi"
)

// Key rotation: cookies sealed with an old key open with it and are sealed
// again with the current key when next answered, keeping their sign-in and
// expiry; a relay that knows neither key answers 401 and asks GoTo nothing.
func TestKeyRotation(t *testing.T) {
	oldKey := bytes.Repeat([]byte{9}, KeySize)
	before := newEnv(t, func(c *Config) { c.CookieKey = oldKey })
	cookie := before.signIn()
	s, _, _ := before.rl.seal.open(cookie, before.clk.Now())
	gotoURL := before.up.srv.URL

	// The same GoTo, a relay with a new key that still opens the old one.
	v := newEnv(t, func(c *Config) {
		c.OldCookieKeys = [][]byte{bytes.Repeat([]byte{8}, KeySize), oldKey}
	})
	v.up = before.up
	v.rl.endpoint = gotoURL + "/oauth/token"
	v.rl.transport.Client = before.up.srv.Client()
	v.clk.advance(time.Hour)
	rec := v.refresh(cookie)
	if rec.Code != 200 {
		t.Fatalf("old key: %d %s", rec.Code, rec.Body)
	}
	c := gotCookie(t, rec)
	if c == nil || c.Value == cookie {
		t.Fatalf("not sealed again: %q", rec.Header().Get("Set-Cookie"))
	}
	resealed, old, err := v.rl.seal.open(c.Value, v.clk.Now())
	if err != nil || old || resealed.token != s.token || resealed.signIn != s.signIn || !resealed.expires.Equal(s.expires) {
		t.Fatalf("resealed to %+v old=%v %v; was %+v", resealed, old, err, s)
	}
	if _, err := v.rl.seal.current.open(c.Value, v.clk.Now()); err != nil {
		t.Fatal("not sealed with the current key")
	}
	// The resealed cookie is answered as any other: no new Set-Cookie.
	v.clk.advance(completedMemory)
	if rec := v.refresh(c.Value); rec.Code != 200 || rec.Header().Get("Set-Cookie") != "" {
		t.Fatalf("current key: %d %v", rec.Code, rec.Header())
	}

	// A relay that knows only other keys: 401, cookie kept, GoTo not asked.
	stranger := newEnv(t, func(c *Config) { c.CookieKey = bytes.Repeat([]byte{5}, KeySize) })
	rec = stranger.refresh(cookie)
	wantError(t, rec, 401, "invalid_grant")
	if rec.Header().Get("Set-Cookie") != "" || stranger.up.hits.Load() != 0 {
		t.Fatalf("unknown key: %v, %d hits", rec.Header(), stranger.up.hits.Load())
	}
}

// The relay mounted elsewhere: its cookie's Path follows, and it serves
// with or without the prefix stripped.
func TestMountPath(t *testing.T) {
	v := newEnv(t, func(c *Config) { c.Path = "/auth/relay/" })
	v.h = v.rl // no StripPrefix
	code := "code-mount"
	v.up.addCode(code)
	rec := v.do(req{path: "/auth/relay/token", body: url.Values{"code": {code}, "redirect_uri": {redirect}}.Encode()})
	c := gotCookie(t, rec)
	if rec.Code != 200 || c == nil || c.Path != "/auth/relay/" {
		t.Fatalf("%d %q", rec.Code, rec.Header().Get("Set-Cookie"))
	}
	if rec := v.do(req{path: "/auth/relay/refresh", cookie: c.Value}); rec.Code != 200 {
		t.Fatalf("refresh: %d %s", rec.Code, rec.Body)
	}
	v.h = http.StripPrefix("/auth/relay", v.rl)
	if rec := v.do(req{path: "/auth/relay/signout", cookie: c.Value}); rec.Code != 204 || !strings.Contains(rec.Header().Get("Set-Cookie"), "Path=/auth/relay/;") {
		t.Fatalf("signout: %d %v", rec.Code, rec.Header())
	}
	if v.rl.Path() != "/auth/relay/" {
		t.Error(v.rl.Path())
	}
	for _, bad := range []string{"relay/", "/relay", "/a//b/", "/a/../b/", "/a b/", "/a?b/", "/%2e/"} {
		if _, err := New(Config{ClientID: clientID, ClientSecret: secret, AllowedOrigins: []string{origin}, CookieKey: testKey, Path: bad}); err == nil {
			t.Errorf("path %q accepted", bad)
		}
	}
}

// A refused Origin is logged once per origin per minute, with the origin
// and without the cookie, and the answer names -allow-origin.
func TestRefusedOriginLogged(t *testing.T) {
	v := newEnv(t, nil)
	cookie := v.signIn()
	send := func(origins ...string) *httptest.ResponseRecorder {
		h := http.Header{"Origin": origins}
		if len(origins) == 0 {
			return v.do(req{path: "/relay/refresh", cookie: cookie, noDefaults: true, header: http.Header{relayapi.Header: {"1"}}})
		}
		return v.do(req{path: "/relay/refresh", cookie: cookie, header: h})
	}
	for range 3 {
		rec := send("https://evil.example")
		m := wantError(t, rec, 403, "invalid_request")
		if !strings.Contains(m["error_description"].(string), "-allow-origin") {
			t.Errorf("%s", rec.Body)
		}
		send("https://other.example\x01")
		send()
	}
	logs := v.logs.String()
	if n := strings.Count(logs, `"https://evil.example"`); n != 1 {
		t.Errorf("logged %d times in a minute: %q", n, logs)
	}
	if n := strings.Count(logs, `"https://other.example\x01"`); n != 1 {
		t.Errorf("control character: %q", logs)
	}
	if strings.Count(logs, "from origin (none)") != 1 || strings.Contains(logs, cookie) || !strings.Contains(logs, "-allow-origin") {
		t.Errorf("log %q", logs)
	}
	v.clk.advance(time.Minute)
	send("https://evil.example")
	if n := strings.Count(v.logs.String(), `"https://evil.example"`); n != 2 {
		t.Errorf("not logged again after a minute: %d", n)
	}
	// A flood of origins is bounded.
	for i := range 2 * maxRefusedOrigins {
		send("https://e" + strings.Repeat("x", i%50) + string(rune('a'+i%26)) + ".example")
	}
	v.rl.refused.mu.Lock()
	n := len(v.rl.refused.last)
	v.rl.refused.mu.Unlock()
	if n > maxRefusedOrigins {
		t.Errorf("%d origins held", n)
	}
}
