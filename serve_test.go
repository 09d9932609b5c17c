//go:build !windows && !js && !wasip1

package main

// Tests of serve.go's composition. Most run it in this process (newHandler,
// served by relayserver as main serves it); the few that need processes (a
// signal, several instances sharing Redis) start the binary, built once per
// run (serveBinary).
// Requests are written by hand over TCP so that no client-side path cleaning
// hides a traversal attempt.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gotoauth/wasm/relayapi"
	"gotoauth/web/emulator"
	"gotoauth/web/relay/relayenv"
	"gotoauth/web/relay/relayserver"
	"gotoauth/web/relay/store/redistest"
	"gotoauth/web/static"
)

// server is serve.go's handler at addr: in this process (cmd nil) or a child.
type server struct {
	addr   string
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
	out    *syncBuffer
}

// syncBuffer collects output written from other goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// webDir is a folder with a page in it.
func webDir(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>index</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// compose serves what newHandler composes for flags (after -addr, on a
// free loopback port, -dir and -drain 0) and the environment env, in this
// process, as main serves it (relayserver's Run), and waits until it is
// ready.
func compose(t *testing.T, env map[string]string, flags ...string) *server {
	t.Helper()
	srv, err := tryCompose(t, env, flags...)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func tryCompose(t *testing.T, env map[string]string, flags ...string) (*server, error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	cfg, err := parseFlags(append([]string{"-addr", addr, "-dir", webDir(t), "-drain", "0"}, flags...), io.Discard)
	if err != nil {
		t.Fatalf("%v: %v", flags, err)
	}
	cfg.Env = mapEnv(env)
	var root *os.Root
	if cfg.Dir != "" {
		if root, err = os.OpenRoot(cfg.Dir); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { root.Close() })
	}
	out := new(syncBuffer)
	srv, err := relayserver.New(*cfg.Server, out)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newHandler(cfg, srv, root, netip.MustParseAddrPort(addr))
	if err != nil {
		ln.Close()
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln, a.Handler, a.relay, a.env) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		a.env.Close()
	})
	s := &server{addr: addr, out: out}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if resp, _ := s.raw(t, "GET", relayserver.ReadyzPath, nil); resp.StatusCode == 200 {
			return s, nil
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready\n%s", out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// mapEnv is an environment of env's variables alone.
func mapEnv(env map[string]string) relayenv.Env {
	return relayenv.Env{Getenv: func(k string) string { return env[k] }, ReadFile: os.ReadFile}
}

// randomKey is a cookie key as an operator makes one: 32 random bytes in
// base64 (a key of one repeated byte is refused as weak).
func randomKey(t *testing.T) string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// raw sends one request line exactly as given and returns the parsed response.
func (s *server) raw(t *testing.T, method, target string, header map[string]string) (*http.Response, string) {
	t.Helper()
	return s.send(t, method, target, header, "")
}

// send is raw with a request body, sent with its Content-Length.
func (s *server) send(t *testing.T, method, target string, header map[string]string, body string) (*http.Response, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", method, target, s.addr)
	for k, v := range header {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	if body != "" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	if _, err := io.WriteString(c, b.String()); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, "http://"+s.addr+"/", nil)
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	return resp, string(got)
}

// wantJSON GETs target and wants exactly body, as JSON that no cache keeps
// without asking and no browser sniffs.
func wantJSON(t *testing.T, s *server, target, body string) {
	t.Helper()
	resp, got := s.raw(t, "GET", target, nil)
	h := resp.Header
	if resp.StatusCode != 200 || got != body || h.Get("Content-Type") != "application/json" || h.Get("X-Content-Type-Options") != "nosniff" ||
		h.Get("Cache-Control") != "no-cache" || h.Get("Content-Security-Policy") != static.CSP {
		t.Errorf("%s: %d %q %v, want %q", target, resp.StatusCode, got, h, body)
	}
}

// pageJSON is the page configuration's answer.
func pageJSON(t *testing.T, c emulator.PageConfig) string {
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCompose: with -emulator, the assets, the emulator under /goto/, the
// page's configuration and the probes, each with its own headers.
func TestCompose(t *testing.T) {
	s := compose(t, nil, "-emulator")
	resp, body := s.raw(t, "GET", "/", nil)
	if resp.StatusCode != 200 || body != "<!doctype html><title>index</title>" || resp.Header.Get("Content-Security-Policy") != static.CSP {
		t.Errorf("/: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	resp, body = s.raw(t, "GET", "/goto/identity/v1/Users/me", nil)
	if resp.StatusCode != 401 || body != `{"int_err_code":"InvalidToken","msg":"Invalid token passed"}` ||
		resp.Header.Get("Content-Security-Policy") != "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("/me: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	// The page signs in at the emulator, with its demo client.
	wantJSON(t, s, "/serve-config.json", pageJSON(t, emulator.Page("")))
	for _, probe := range []string{"/livez", "/readyz", "/healthz"} {
		if resp, body := s.raw(t, "GET", probe, nil); resp.StatusCode != 200 || body != "ok\n" && !strings.HasPrefix(body, "ready\n") {
			t.Errorf("%s: %d %q", probe, resp.StatusCode, body)
		}
	}
	// Around the mounts: the files' refusals.
	for _, target := range []string{"/goto", "/healthz/", "/serve-config.json/", "/serve.go", "/../serve.go", "/relay/token"} {
		if resp, body := s.raw(t, "GET", target, nil); resp.StatusCode != 404 || resp.Header.Get("Content-Security-Policy") != static.CSP {
			t.Errorf("%s: %d %v %q", target, resp.StatusCode, resp.Header, body)
		}
	}
	if resp, _ := s.raw(t, "GET", "/goto/nothing", nil); resp.StatusCode != 404 || resp.Header.Get("Content-Security-Policy") != "" {
		t.Errorf("/goto/nothing: %d %v", resp.StatusCode, resp.Header)
	}
	// The consent page is reachable through the mount.
	resp, body = s.raw(t, "GET", "/goto/oauth/authorize?response_type=code&client_id=gotoauth-backend&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `id="allow"`) {
		t.Errorf("consent: %d", resp.StatusCode)
	}
}

// TestAllowOrigin: the emulator answers preflights from this server's own
// origins and from each -allow-origin (as browsers write it), and from no
// neighbour of them.
func TestAllowOrigin(t *testing.T) {
	const added = "http://127.0.0.1:5173"
	s := compose(t, nil, "-emulator", "-allow-origin", added, "-allow-origin", "HTTPS://App.Example.COM:443")
	_, port, _ := net.SplitHostPort(s.addr)
	for origin, allowed := range map[string]bool{
		added:                       true,
		"https://app.example.com":   true,
		"http://" + s.addr:          true,
		"http://localhost:" + port:  true,
		"http://[::1]:" + port:      true,
		"http://127.0.0.1:5174":     false,
		"https://127.0.0.1:5173":    false,
		"http://localhost:5173":     false,
		"http://127.0.0.1:5173/":    false,
		"https://app.example.com:1": false,
		"http://app.example.com":    false,
		"http://localhost:1":        false,
		"http://127.0.0.1.nip.io:1": false,
		"null":                      false,
	} {
		resp, _ := s.raw(t, "OPTIONS", "/goto/oauth/token", map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "POST"})
		got := resp.Header.Get("Access-Control-Allow-Origin")
		if resp.StatusCode != 204 || allowed && got != origin || !allowed && got != "" {
			t.Errorf("preflight from %s: %d ACAO %q", origin, resp.StatusCode, got)
		}
	}
}

// TestFlags: refused flags say why, before anything is served.
func TestFlags(t *testing.T) {
	for _, v := range []string{"*", "", "null", "127.0.0.1:5173", "ftp://127.0.0.1", "http://127.0.0.1:5173/",
		"http://127.0.0.1:5173/app", "http://127.0.0.1:5173?x=1", "http://127.0.0.1:5173#top", "http://u@127.0.0.1",
		"http://127.0.0.1:0", "http://127.0.0.1:65536", "http://127.0.0.1:", "http://*.example.com", "http://"} {
		var out strings.Builder
		_, err := parseFlags([]string{"-emulator", "-allow-origin", "http://127.0.0.1:5173", "-allow-origin", v}, &out)
		if err == nil || !strings.Contains(out.String(), "invalid value") || !strings.Contains(out.String(), "-allow-origin") ||
			!strings.Contains(out.String(), "is not an origin") {
			t.Errorf("-allow-origin %q: %v\n%s", v, err, out.String())
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-allow-origin", "http://127.0.0.1:5173"}, "-allow-origin needs -emulator or -relay"},
		{[]string{"-relay-path", "/"}, "-relay-path: the relay cannot take /"},
		{[]string{"-relay-path", "/goto/relay/"}, "inside the emulator's /goto/"},
		{[]string{"-relay-path", "relay/"}, "-relay-path: "},
		{[]string{"-relay-path", "/relay"}, "-relay-path: "},
		{[]string{"-relay-path", "/a/../b/"}, "-relay-path: "},
		{[]string{"-relay-path", ""}, "-relay-path: "},
	} {
		var out strings.Builder
		if _, err := parseFlags(tc.args, &out); err == nil || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%v: %v\n%s", tc.args, err, out.String())
		}
	}
	for _, p := range []string{"/relay/", "/auth/relay/", "/a/b/c/"} {
		if cfg, err := parseFlags([]string{"-relay", "-relay-path", p}, io.Discard); err != nil || cfg.RelayPath != p {
			t.Errorf("-relay-path %q: %v", p, err)
		}
	}
}

// relayPost sends a POST to the relay as a page on serve's own origin does.
func (s *server) relayPost(t *testing.T, path, cookie, body string) (*http.Response, string) {
	t.Helper()
	h := map[string]string{"Origin": "http://" + s.addr, relayapi.Header: relayapi.HeaderValue}
	if body != "" {
		h["Content-Type"] = "application/x-www-form-urlencoded"
	}
	if cookie != "" {
		h["Cookie"] = relayapi.CookieName + "=" + cookie
	}
	return s.send(t, "POST", path, h, body)
}

// relayCookie returns the answer's relay cookie (relayapi.CookieName).
func relayCookie(t *testing.T, resp *http.Response) (*http.Cookie, string) {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == relayapi.CookieName {
			return c, resp.Header.Get("Set-Cookie")
		}
	}
	return nil, ""
}

// TestRelayAtEmulator: with -emulator -relay and no GOTO_ variable, the
// page signs in at the emulator's consent page with PKCE, and redeems,
// refreshes and signs out through the relay, which talks to the emulator
// on this server as the client the page is told to sign in as.
func TestRelayAtEmulator(t *testing.T) {
	s := compose(t, nil, "-emulator", "-relay")
	self := "http://" + s.addr
	wantJSON(t, s, "/serve-config.json", pageJSON(t, emulator.Page("/relay/")))
	if !strings.Contains(s.out.String(), "client_id=gotoauth-demo token_endpoint=http://"+s.addr+"/goto/oauth/token") {
		t.Errorf("output %q", s.out.String())
	}
	redirect := self + "/"
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 appendix B
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])

	// The user allows the sign-in at the emulator.
	resp, page := s.raw(t, "GET", "/goto/oauth/authorize?"+url.Values{
		"response_type": {"code"}, "client_id": {"gotoauth-demo"}, "state": {"s1"}, "redirect_uri": {redirect},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}}.Encode(), nil)
	id := regexp.MustCompile(`name="request_id" value="([^"]+)"`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || id == nil {
		t.Fatalf("consent page: %d %q", resp.StatusCode, page)
	}
	resp, _ = s.send(t, "POST", "/goto/oauth/authorize/decision", map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
		url.Values{"request_id": {id[1]}, "decision": {"allow"}}.Encode())
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("decision: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// A request the relay refuses does not spend the code.
	resp, body := s.send(t, "POST", "/relay/token", map[string]string{"Origin": "https://evil.example", relayapi.Header: relayapi.HeaderValue,
		"Content-Type": "application/x-www-form-urlencoded"},
		url.Values{"code": {loc.Query().Get("code")}, "redirect_uri": {redirect}, "code_verifier": {verifier}}.Encode())
	if resp.StatusCode != 403 || !strings.Contains(body, `"error":"invalid_request"`) {
		t.Fatalf("foreign origin: %d %q", resp.StatusCode, body)
	}

	// The page hands the code and verifier to the relay.
	resp, body = s.relayPost(t, "/relay/token", "",
		url.Values{"code": {loc.Query().Get("code")}, "redirect_uri": {redirect}, "code_verifier": {verifier}}.Encode())
	var tok map[string]any
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &tok) != nil || tok["accessToken"] == nil || tok["tokenType"] != "Bearer" {
		t.Fatalf("/relay/token: %d %q", resp.StatusCode, body)
	}
	if _, ok := tok["refreshToken"]; ok {
		t.Fatalf("the page got the refresh token: %q", body)
	}
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
		resp.Header.Get("Content-Security-Policy") != "" {
		t.Errorf("/relay/token headers %v", resp.Header)
	}
	c, raw := relayCookie(t, resp)
	if c == nil || c.Value == "" || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/relay/" || c.Secure ||
		c.MaxAge != 30*24*3600 {
		t.Fatalf("cookie %q", raw)
	}
	cookie := c.Value

	// The access token is the emulator's.
	resp, _ = s.raw(t, "GET", "/goto/identity/v1/Users/me", map[string]string{"Authorization": "Bearer " + tok["accessToken"].(string)})
	if resp.StatusCode != 200 {
		t.Errorf("/me: %d", resp.StatusCode)
	}

	// Refresh with the cookie: a new access token, the cookie kept (the
	// emulator, like GoTo, rotates only near the end of 30 days).
	resp, body = s.relayPost(t, "/relay/refresh", cookie, "")
	var again map[string]any
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &again) != nil || again["accessToken"] == nil ||
		again["accessToken"] == tok["accessToken"] {
		t.Fatalf("/relay/refresh: %d %q", resp.StatusCode, body)
	}
	if _, ok := again["refreshToken"]; ok || resp.Header.Get("Set-Cookie") != "" {
		t.Fatalf("/relay/refresh: %q, Set-Cookie %q", body, resp.Header.Get("Set-Cookie"))
	}
	// Without the header, refused.
	resp, body = s.send(t, "POST", "/relay/refresh", map[string]string{"Origin": self, "Cookie": relayapi.CookieName + "=" + cookie}, "")
	if resp.StatusCode != 403 {
		t.Errorf("refresh without X-GoToAuth: %d %q", resp.StatusCode, body)
	}

	// Sign out: the cookie is cleared; without it a refresh is refused.
	resp, _ = s.relayPost(t, "/relay/signout", cookie, "")
	c, raw = relayCookie(t, resp)
	if resp.StatusCode != 204 || c == nil || c.MaxAge != -1 || !strings.Contains(raw, "Max-Age=0") || c.Path != "/relay/" || !c.HttpOnly {
		t.Fatalf("/relay/signout: %d %q", resp.StatusCode, raw)
	}
	resp, body = s.relayPost(t, "/relay/refresh", "", "")
	if resp.StatusCode != 401 || !strings.Contains(body, `"error":"invalid_grant"`) {
		t.Fatalf("refresh after sign-out: %d %q", resp.StatusCode, body)
	}

}

// TestRelayEnv: with -emulator -relay and GOTO_ variables set, the relay
// uses them, here a fake GoTo, and not the emulator; the page is told to
// sign in at GoTo as the relay's client.
func TestRelayEnv(t *testing.T) {
	const id, secret = "env-client", "env+se/cret=="
	var gotAuth, gotForm string
	var mu sync.Mutex
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		gotAuth, gotForm = r.Header.Get("Authorization"), string(b)
		mu.Unlock()
		io.WriteString(w, `{"access_token":"at","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-env"}`)
	}))
	defer fake.Close()
	s := compose(t, map[string]string{
		"GOTO_CLIENT_ID": id, "GOTO_CLIENT_SECRET": secret, "GOTO_TOKEN_ENDPOINT": fake.URL + "/oauth/token",
		"GOTOAUTH_COOKIE_KEY": randomKey(t),
	}, "-emulator", "-relay")
	wantJSON(t, s, "/serve-config.json", `{"relay":"/relay/","clientId":"env-client","emulator":false}`)

	resp, body := s.relayPost(t, "/relay/token", "", "code=c&redirect_uri="+url.QueryEscape("http://"+s.addr+"/"))
	// The library's token shape (relayapi), without the refresh token.
	if resp.StatusCode != 200 || !strings.HasPrefix(body, `{"accessToken":"at","tokenType":"Bearer","expiresIn":3600,`) || strings.Contains(body, "rt-env") {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if gotAuth != "Basic "+base64.StdEncoding.EncodeToString([]byte(id+":"+secret)) ||
		gotForm != "grant_type=authorization_code&code=c&redirect_uri="+url.QueryEscape("http://"+s.addr+"/") {
		t.Errorf("the fake GoTo got %q %q", gotAuth, gotForm)
	}
	if out := s.out.String(); strings.Contains(out, secret) || !strings.Contains(out, "client_id="+id+" ") {
		t.Errorf("output %q", out)
	}
}

// TestRelayRefused: -relay without -emulator needs the GoTo client from the
// environment, and says why it refuses one.
func TestRelayRefused(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "GOTO_CLIENT_ID and GOTO_CLIENT_SECRET must be set"},
		{map[string]string{"GOTO_CLIENT_ID": "x"}, "GOTO_CLIENT_SECRET must be set"},
		{map[string]string{"GOTO_CLIENT_ID": "x", "GOTO_CLIENT_SECRET": "y", "GOTO_TOKEN_ENDPOINT": "http://example.com/token"}, "must use https"},
		{map[string]string{"GOTO_CLIENT_ID": "x", "GOTO_CLIENT_SECRET": "y", "GOTOAUTH_COOKIE_KEY": "c2hvcnQ="}, "32 random bytes"},
		{map[string]string{"GOTO_CLIENT_ID": "x", "GOTO_CLIENT_SECRET": "y", "GOTOAUTH_COOKIE_KEY": base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))}, "one byte repeated"},
	} {
		if _, err := tryCompose(t, tc.env, "-relay"); err == nil || !strings.HasPrefix(err.Error(), "-relay: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v", tc.env, err)
		}
	}
}

// TestConfig: without the emulator, the page is told the relay and the
// client id, never the secret; with neither flag, that there is only GoTo.
func TestConfig(t *testing.T) {
	const id, secret = "goto-client-id", "goto+client/secret=="
	s := compose(t, map[string]string{"GOTO_CLIENT_ID": id, "GOTO_CLIENT_SECRET": secret}, "-relay")
	wantJSON(t, s, "/serve-config.json", `{"relay":"/relay/","clientId":"goto-client-id","emulator":false}`)
	for _, target := range []string{"/serve-config.json", "/", "/goto/oauth/token", "/relay/config"} {
		resp, body := s.raw(t, "GET", target, nil)
		if strings.Contains(body, secret) || strings.Contains(fmt.Sprint(resp.Header), secret) {
			t.Errorf("%s shows the secret: %v %q", target, resp.Header, body)
		}
	}
	if resp, _ := s.raw(t, "GET", "/goto/identity/v1/Users/me", nil); resp.StatusCode != 404 {
		t.Errorf("the emulator without -emulator: %d", resp.StatusCode)
	}

	plain := compose(t, nil)
	wantJSON(t, plain, "/serve-config.json", `{"relay":"","clientId":"","emulator":false}`)
	if resp, _ := plain.raw(t, "POST", "/relay/token", map[string]string{"Content-Length": "0"}); resp.StatusCode != 405 {
		t.Errorf("relay without -relay: %d", resp.StatusCode)
	}
}

// TestNoDir: with -dir empty, the relay binary's default, serve answers the
// relay and the probes and nothing else: no files, no page configuration.
func TestNoDir(t *testing.T) {
	s := compose(t, map[string]string{"GOTO_CLIENT_ID": "id", "GOTO_CLIENT_SECRET": "secret", "GOTOAUTH_COOKIE_KEY": randomKey(t)}, "-dir", "", "-relay")
	for _, target := range []string{"/", "/index.html", emulator.PageConfigPath, "/goto/oauth/token"} {
		if resp, _ := s.raw(t, "GET", target, nil); resp.StatusCode != 404 || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d %v", target, resp.StatusCode, resp.Header)
		}
	}
	if resp, body := s.raw(t, "GET", relayserver.LivezPath, nil); resp.StatusCode != 200 {
		t.Errorf("/livez: %d %q", resp.StatusCode, body)
	}
	resp, _ := s.raw(t, "OPTIONS", "/relay/token", map[string]string{"Origin": "http://" + s.addr, "Access-Control-Request-Method": "POST"})
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "http://"+s.addr {
		t.Errorf("relay preflight: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestCheckConfig: -check-config reports on the relay's configuration,
// with the origins and path the flags give, and returns the exit code;
// without -relay there is only the flags to check.
func TestCheckConfig(t *testing.T) {
	key := randomKey(t)
	for _, tc := range []struct {
		flags []string
		env   map[string]string
		code  int
		want  []string
	}{
		{nil, nil, 0, []string{"no -relay"}},
		{[]string{"-relay"}, nil, 1, []string{"GOTO_CLIENT_ID and GOTO_CLIENT_SECRET must be set"}},
		{[]string{"-relay"}, map[string]string{"GOTO_CLIENT_ID": "id", "GOTO_CLIENT_SECRET": "s", "GOTOAUTH_COOKIE_KEY": base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))},
			1, []string{"1 problem(s)", "one byte repeated"}},
		{[]string{"-relay", "-relay-path", "/auth/relay/", "-allow-origin", "https://app.example"}, map[string]string{"GOTO_CLIENT_ID": "id", "GOTO_CLIENT_SECRET": "s", "GOTOAUTH_COOKIE_KEY": key},
			0, []string{"GOTO_CLIENT_ID: id", "GOTO_CLIENT_SECRET: set", "cookie key id: ", "the configuration is good"}},
		{[]string{"-relay", "-emulator"}, nil, 0, []string{"GOTO_CLIENT_ID: " + emulator.DemoClientID, "the configuration is good"}},
	} {
		cfg, err := parseFlags(append([]string{"-addr", "127.0.0.1:8080", "-check-config"}, tc.flags...), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Env = mapEnv(tc.env)
		var out strings.Builder
		code := checkConfig(cfg, &out)
		for _, want := range tc.want {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%v %v: lacks %q:\n%s", tc.flags, tc.env, want, out.String())
			}
		}
		if code != tc.code || strings.Contains(out.String(), key) || strings.Contains(out.String(), emulator.DemoClientSecret) {
			t.Errorf("%v %v: exit %d, want %d:\n%s", tc.flags, tc.env, code, tc.code, out.String())
		}
	}
}

// TestEveryInterface: -addr without a host (or 0.0.0.0, [::]) listens on
// every interface; the relay and the emulator then answer pages on the
// loopback names, and the relay reaches the emulator on loopback.
func TestEveryInterface(t *testing.T) {
	for listen, bound := range map[string]string{":8080": "[::]:8080", "0.0.0.0:8080": "0.0.0.0:8080", "[::]:8080": "[::]:8080"} {
		cfg, err := parseFlags([]string{"-addr", listen, "-emulator", "-relay"}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Env = mapEnv(nil)
		root, err := os.OpenRoot(webDir(t))
		if err != nil {
			t.Fatal(err)
		}
		defer root.Close()
		var out strings.Builder
		srv, err := relayserver.New(*cfg.Server, &out)
		if err != nil {
			t.Fatal(err)
		}
		h, err := newHandler(cfg, srv, root, netip.MustParseAddrPort(bound))
		if err != nil {
			t.Fatalf("-addr %s: %v", listen, err)
		}
		want := "http://127.0.0.1:8080/goto/oauth/token"
		if strings.HasPrefix(bound, "[") {
			want = "http://[::1]:8080/goto/oauth/token"
		}
		if !strings.Contains(out.String(), " token_endpoint="+want+" ") {
			t.Errorf("-addr %s: %q, want the relay at %s", listen, out.String(), want)
		}
		for origin, allowed := range map[string]bool{
			"http://127.0.0.1:8080": true, "http://localhost:8080": true, "http://[::1]:8080": true,
			"http://:8080": false, "http://0.0.0.0:8080": false, "http://192.0.2.1:8080": false,
		} {
			for _, path := range []string{"/relay/token", "/goto/oauth/token"} {
				r := httptest.NewRequest("OPTIONS", path, nil)
				r.Header.Set("Origin", origin)
				r.Header.Set("Access-Control-Request-Method", "POST")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if got := rec.Header().Get("Access-Control-Allow-Origin"); allowed != (got == origin) || !allowed && got != "" {
					t.Errorf("-addr %s: preflight to %s from %s: %d ACAO %q", listen, path, origin, rec.Code, got)
				}
			}
		}
	}
}

// serveBinary builds serve.go once for the tests that need processes.
var serveBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "gotoauth-serve-test-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "serve")
	out, err := exec.Command("go", "build", "-o", bin, "serve.go").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build serve.go: %v\n%s", err, out)
	}
	return bin, nil
})

func TestMain(m *testing.M) {
	code := m.Run()
	if bin, err := serveBinary(); err == nil && bin != "" {
		os.RemoveAll(filepath.Dir(bin))
	}
	os.Exit(code)
}

// startInstance starts the serve binary on addr (a free loopback address
// when ""), serving dir, and waits until it listens. The child gets this
// environment less its GOTO_ and GOTOAUTH_ variables, plus env.
func startInstance(t *testing.T, dir, addr string, env []string, flags ...string) *server {
	t.Helper()
	bin, err := serveBinary()
	if err != nil {
		t.Fatal(err)
	}
	if addr == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = ln.Addr().String()
		ln.Close()
	}
	out := new(syncBuffer)
	cmd := exec.Command(bin, append([]string{"-addr", addr, "-dir", dir, "-drain", "0"}, flags...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOTO_") && !strings.HasPrefix(kv, "GOTOAUTH_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	s := &server{addr: addr, cmd: cmd, exited: exited, out: out}
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if strings.Contains(out.String(), "serving ") {
			return s
		}
		select {
		case <-exited:
			t.Fatalf("serve exited: %v\n%s", cmd.ProcessState, out)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start\n%s", out)
		}
	}
}

// TestProcess runs the binary as `make run` does: it says where it serves
// and what the relay talks to, shows no secret, and exits 0 on SIGTERM; and
// refused flags or environment exit 2 before anything is served.
func TestProcess(t *testing.T) {
	s := startInstance(t, webDir(t), "", nil, "-emulator", "-relay")
	if resp, _ := s.raw(t, "GET", "/", nil); resp.StatusCode != 200 {
		t.Errorf("/: %d", resp.StatusCode)
	}
	out := s.out.String()
	if !strings.Contains(out, "serving ") || !strings.Contains(out, "http://"+s.addr+"/") ||
		!strings.Contains(out, "client_id=gotoauth-demo token_endpoint=http://"+s.addr+"/goto/oauth/token") ||
		!strings.Contains(out, "GOTOAUTH_COOKIE_KEY is not set") || strings.Contains(out, emulator.DemoClientSecret) {
		t.Errorf("output %q", out)
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.exited:
	case <-time.After(8 * time.Second):
		t.Fatalf("serve did not exit after SIGTERM\n%s", s.out)
	}
	if !s.cmd.ProcessState.Success() {
		t.Errorf("exit after SIGTERM: %v\n%s", s.cmd.ProcessState, s.out)
	}

	bin, err := serveBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-allow-origin", "*", "-emulator"}, {"-relay"}, {"-relay-path", "/"}} {
		cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-dir", webDir(t)}, args...)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 || strings.Contains(string(out), "serving ") {
			t.Errorf("%v: %v\n%s", args, err, out)
		}
	}
}

// slowGoTo is a GoTo token endpoint for TestServeRelayInstances: codes are
// always good, and every refresh rotates the refresh token after a pause,
// or after gate is closed when one is set; a rotated-out token is dead.
type slowGoTo struct {
	srv       *httptest.Server
	mu        sync.Mutex
	refreshes int
	live      map[string]bool
	n         int
	gate      chan struct{}
}

func newSlowGoTo(t *testing.T) *slowGoTo {
	g := &slowGoTo{live: map[string]bool{}}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		g.mu.Lock()
		g.n++
		n := g.n
		rt := fmt.Sprintf("rt-%d-%032d", n, n)
		if r.PostForm.Get("grant_type") == "authorization_code" {
			g.live[rt] = true
			g.mu.Unlock()
			fmt.Fprintf(w, `{"access_token":"at-%d","token_type":"Bearer","expires_in":3600,"refresh_token":%q}`, n, rt)
			return
		}
		g.refreshes++
		gate := g.gate
		old := r.PostForm.Get("refresh_token")
		alive := g.live[old]
		g.mu.Unlock()
		if gate != nil {
			<-gate
		} else {
			time.Sleep(300 * time.Millisecond) // GoTo is slow
		}
		if !alive {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_grant"}`)
			return
		}
		g.mu.Lock()
		delete(g.live, old)
		g.live[rt] = true
		g.mu.Unlock()
		fmt.Fprintf(w, `{"access_token":"at-%d","token_type":"Bearer","expires_in":3600,"refresh_token":%q}`, n, rt)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *slowGoTo) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.refreshes
}

// TestServeRelayInstances runs three serve.go -relay processes that share
// the cookie key and a Redis (a redis-server of the test's own), mounted at
// -relay-path /auth/relay/, for a page on https://app.example, in front of
// a GoTo that rotates every refresh token and answers slowly. It checks
// what only several processes show: concurrent refreshes across instances
// reach GoTo once, a restarted instance forgets nothing, and a sign-out on
// one holds on all. The store's own behaviour (Redis away, back) is
// web/relay's and redisstore's tests'.
func TestServeRelayInstances(t *testing.T) {
	srv := redistest.Start(t)
	g := newSlowGoTo(t)
	dir := webDir(t)
	const page = "https://app.example"
	env := []string{
		"GOTO_CLIENT_ID=multi", "GOTO_CLIENT_SECRET=multi+secret",
		"GOTO_TOKEN_ENDPOINT=" + g.srv.URL + "/oauth/token",
		"GOTOAUTH_COOKIE_KEY=" + randomKey(t),
		"GOTOAUTH_REDIS_URL=" + srv.URL(),
	}
	flags := []string{"-relay", "-relay-path", "/auth/relay/", "-allow-origin", page}
	var insts [3]*server
	for i := range insts {
		insts[i] = startInstance(t, dir, "", env, flags...)
	}
	wantJSON(t, insts[0], "/serve-config.json", `{"relay":"/auth/relay/","clientId":"multi","emulator":false}`)

	hc := &http.Client{Timeout: 30 * time.Second}
	post := func(s *server, path, cookie, body string) (int, http.Header, string) {
		t.Helper()
		r, _ := http.NewRequest("POST", "http://"+s.addr+"/auth/relay/"+path, strings.NewReader(body))
		r.Header.Set("Origin", page)
		r.Header.Set(relayapi.Header, relayapi.HeaderValue)
		if body != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if cookie != "" {
			r.Header.Set("Cookie", relayapi.CookieName+"="+cookie)
		}
		resp, err := hc.Do(r)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return 0, nil, ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	// newCookie returns the one gotoauth_relay cookie an answer sets, "" if none.
	newCookie := func(h http.Header) (string, int) {
		r := http.Response{Header: h}
		var vals []string
		for _, c := range r.Cookies() {
			if c.Name == relayapi.CookieName {
				if c.Path != "/auth/relay/" || !c.Secure || !c.HttpOnly {
					t.Errorf("cookie attributes %q", h.Values("Set-Cookie"))
				}
				vals = append(vals, c.Value)
			}
		}
		if len(vals) == 0 {
			return "", 0
		}
		return vals[0], len(vals)
	}
	signIn := func(s *server) string {
		t.Helper()
		code, h, body := post(s, "token", "", "code=c&redirect_uri="+url.QueryEscape(page+"/"))
		c, _ := newCookie(h)
		if code != 200 || c == "" {
			t.Fatalf("sign-in: %d %s", code, body)
		}
		return c
	}
	health := func(s *server) int {
		resp, err := hc.Get("http://" + s.addr + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, s := range insts {
		if h := health(s); h != 200 {
			t.Fatalf("healthz %d", h)
		}
	}

	// 30 refreshes with one cookie at once, round-robin: GoTo once, and each
	// answer one access token and one new cookie, the same for all.
	old := signIn(insts[0])
	const n = 30
	type answer struct {
		code   int
		access any
		cookie string
		count  int
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, h, body := post(insts[i%3], "refresh", old, "")
			var m map[string]any
			json.Unmarshal([]byte(body), &m)
			c, k := newCookie(h)
			answers[i] = answer{code, m["accessToken"], c, k}
		}()
	}
	wg.Wait()
	if c := g.count(); c != 1 {
		t.Fatalf("GoTo was asked %d times", c)
	}
	cur := answers[0].cookie
	for i, a := range answers {
		if a.code != 200 || a.access != answers[0].access || a.access == nil || a.count != 1 || a.cookie != cur || cur == "" {
			t.Errorf("answer %d: %+v; answer 0: %+v", i, a, answers[0])
		}
	}

	// The old cookie, late, on each instance: from Redis, not GoTo. And an
	// instance restarted meanwhile forgets nothing.
	insts[1].cmd.Process.Signal(syscall.SIGTERM)
	<-insts[1].exited
	insts[1] = startInstance(t, dir, insts[1].addr, env, flags...)
	for _, s := range insts {
		code, h, body := post(s, "refresh", old, "")
		if c, _ := newCookie(h); code != 200 || c != cur {
			t.Errorf("late old cookie on %s: %d %s", s.addr, code, body)
		}
	}
	if c := g.count(); c != 1 {
		t.Fatalf("GoTo was asked %d times", c)
	}

	// A sign-out on one instance holds on the others, against a refresh in
	// flight on another too.
	gate := make(chan struct{})
	g.mu.Lock()
	g.gate = gate
	g.mu.Unlock()
	inflight := make(chan int)
	go func() { code, _, _ := post(insts[2], "refresh", cur, ""); inflight <- code }()
	deadline := time.Now().Add(20 * time.Second)
	for g.count() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the refresh never reached GoTo")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if code, _, body := post(insts[0], "signout", cur, ""); code != 204 {
		t.Fatalf("signout: %d %s", code, body)
	}
	close(gate)
	if code := <-inflight; code != 401 {
		t.Errorf("the refresh in flight during the sign-out: %d", code)
	}
	for _, s := range insts {
		for _, c := range []string{old, cur} {
			if code, h, body := post(s, "refresh", c, ""); code != 401 || h.Get("Set-Cookie") != "" && !strings.Contains(h.Get("Set-Cookie"), "Max-Age=0") {
				t.Errorf("after sign-out on %s: %d %s %q", s.addr, code, body, h.Get("Set-Cookie"))
			}
		}
	}
	if c := g.count(); c != 2 {
		t.Fatalf("GoTo was asked %d times", c)
	}
}
