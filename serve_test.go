//go:build !windows && !js && !wasip1

package main

// Tests of serve.go. TestServe builds the real command and talks to it over
// loopback TCP, writing every request by hand so that no client-side path
// cleaning hides a traversal attempt. (Symlinks, SIGTERM and the child
// process are why these tests skip Windows and the js and wasip1 ports.)

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gotoauth/wasm/relayapi"
	"gotoauth/web/relay/store/redistest"
)

const wantCSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
	"connect-src 'self' https://authentication.logmeininc.com https://api.getgo.com; " +
	"img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

type server struct {
	addr string
	cmd  *exec.Cmd
	out  *syncBuffer
}

// syncBuffer collects the child's output; exec copies into it from its own
// goroutine.
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

// buildServe builds serve.go into a temporary folder and returns the binary
// and the folder.
func buildServe(t *testing.T) (bin, tmp string) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("serve.go's tests build it with the go command, which is not on PATH")
	}
	repo, err := filepath.Abs(".") // go test runs in the package's folder, the repository root
	if err != nil {
		t.Fatal(err)
	}
	tmp = t.TempDir()
	bin = filepath.Join(tmp, "serve")
	build := exec.Command(goBin, "build", "-o", bin, "serve.go")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build serve.go: %v\n%s", err, out)
	}
	return bin, tmp
}

// startServe builds and starts serve.go with the emulator on a fixture
// folder; extra flags follow -addr, -dir and -emulator.
func startServe(t *testing.T, extra ...string) *server {
	t.Helper()
	return startServeFlags(t, append([]string{"-emulator"}, extra...)...)
}

// startServeFlags is startServe with only the flags given after -addr and
// -dir.
func startServeFlags(t *testing.T, flags ...string) *server {
	t.Helper()
	bin, tmp := buildServe(t)

	web := filepath.Join(tmp, "web")
	outside := filepath.Join(tmp, "outside")
	files := map[string]string{
		"web/index.html":                 "<!doctype html><title>index</title>",
		"web/app.js":                     "console.log('app')",
		"web/mod.mjs":                    "export {}",
		"web/style.css":                  "body{}",
		"web/types.d.ts":                 "export {}",
		"web/x.wasm":                     "\x00asm-identity",
		"web/x.wasm.br":                  "brotli-bytes",
		"web/x.wasm.gz":                  "gzip-bytes!!",
		"web/only.js":                    "only gz sibling",
		"web/only.js.gz":                 "gz",
		"web/gotoauth.3f2a9c1d.wasm":     "\x00asm-hashed",
		"web/app.DEADBEEF.js":            "not a hash: upper case",
		"web/main.go":                    "package main",
		"web/package.json":               "{}",
		"web/node_modules/x.js":          "dependency",
		"web/tests/a.js":                 "test",
		"web/emulator/emulator.js":       "no",
		"web/.hidden":                    "secret",
		"web/.git/config":                "secret",
		"web/sub/ok.js":                  "nested",
		"web/sub/index.html":             "nested index",
		"outside/secret.txt":             "outside secret",
		"outside/secret.js":              "outside secret",
		"web/assets/logo.svg":            "<svg/>",
		"web/assets/hashed.0123abcd.css": "a{}",
	}
	for name, body := range files {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"web/escape.txt": filepath.Join(outside, "secret.txt"),
		"web/rel.js":     "../outside/secret.js",
		"web/outdir":     outside,
		"web/inside.js":  "app.js",
	} {
		if err := os.Symlink(target, filepath.Join(tmp, link)); err != nil {
			t.Fatal(err)
		}
	}

	return startInstance(t, bin, web, "", nil, flags...)
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

func TestServe(t *testing.T) {
	s := startServe(t)
	get := func(target string, header map[string]string) (*http.Response, string) {
		return s.raw(t, "GET", target, header)
	}

	t.Run("types and headers", func(t *testing.T) {
		tests := []struct{ path, ctype, body string }{
			{"/", "text/html; charset=utf-8", "<!doctype html><title>index</title>"},
			{"/index.html", "text/html; charset=utf-8", "<!doctype html><title>index</title>"},
			{"/app.js", "text/javascript; charset=utf-8", "console.log('app')"},
			{"/mod.mjs", "text/javascript; charset=utf-8", "export {}"},
			{"/style.css", "text/css; charset=utf-8", "body{}"},
			{"/types.d.ts", "text/plain; charset=utf-8", "export {}"},
			{"/x.wasm", "application/wasm", "\x00asm-identity"},
			{"/sub/ok.js", "text/javascript; charset=utf-8", "nested"},
			{"/assets/logo.svg", "image/svg+xml", "<svg/>"},
			{"/inside.js", "text/javascript; charset=utf-8", "console.log('app')"},
		}
		for _, tc := range tests {
			resp, body := get(tc.path, nil)
			h := resp.Header
			if resp.StatusCode != 200 || body != tc.body {
				t.Errorf("%s: %d %q", tc.path, resp.StatusCode, body)
			}
			if got := h.Get("Content-Type"); got != tc.ctype {
				t.Errorf("%s: Content-Type %q, want %q", tc.path, got, tc.ctype)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("%s: headers %v", tc.path, h)
			}
			if got := h.Get("Content-Security-Policy"); got != wantCSP {
				t.Errorf("%s: CSP %q", tc.path, got)
			}
			if got := h.Get("Cache-Control"); got != "no-cache" {
				t.Errorf("%s: Cache-Control %q", tc.path, got)
			}
		}
	})

	t.Run("refusals", func(t *testing.T) {
		for _, target := range []string{
			"/../go.mod", "/%2e%2e/go.mod", "/..%2fgo.mod", "/%2e%2e%2fgo.mod", "//etc/passwd",
			"/..\\go.mod", "/sub/../app.js", "/./app.js", "/sub//ok.js",
			"/escape.txt", "/rel.js", "/outdir/secret.js", "/outdir/secret.txt",
			"/main.go", "/package.json", "/node_modules/x.js", "/Node_Modules/x.js", "/tests/a.js",
			"/emulator/emulator.js", "/.hidden", "/.git/config", "/sub/", "/sub", "/sub/index.html/",
			"/x.wasm.br", "/x.wasm.gz", "/only.js.gz", "/missing.js", "/serve.go",
			"/app.js%00.txt", "/goto",
		} {
			resp, body := get(target, nil)
			if resp.StatusCode != 404 {
				t.Errorf("%s: status %d, body %q", target, resp.StatusCode, body)
			}
			if strings.Contains(body, "secret") || strings.Contains(body, "module") {
				t.Errorf("%s leaked %q", target, body)
			}
			if resp.Header.Get("Content-Security-Policy") != wantCSP || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: headers %v", target, resp.Header)
			}
		}
		// The sub folder's index is reachable by its name only.
		if resp, _ := get("/sub/index.html", nil); resp.StatusCode != 200 {
			t.Errorf("/sub/index.html: %d", resp.StatusCode)
		}
	})

	t.Run("precompressed", func(t *testing.T) {
		tests := []struct {
			accept, encoding, body string
		}{
			{"", "", "\x00asm-identity"},
			{"br", "br", "brotli-bytes"},
			{"gzip, deflate, br", "br", "brotli-bytes"},
			{"gzip", "gzip", "gzip-bytes!!"},
			{"br;q=0, gzip", "gzip", "gzip-bytes!!"},
			{"br;q=0", "", "\x00asm-identity"},
			{"BR ; Q=0.5, gzip;q=0.8", "gzip", "gzip-bytes!!"},
			{"gzip;q=0.5, br;q=0.5", "br", "brotli-bytes"},
			{"*", "br", "brotli-bytes"},
			{"*;q=0", "", "\x00asm-identity"},
			{"br;q=0, *", "gzip", "gzip-bytes!!"},
			{"identity", "", "\x00asm-identity"},
			{"deflate", "", "\x00asm-identity"},
		}
		for _, tc := range tests {
			var hdr map[string]string
			if tc.accept != "" {
				hdr = map[string]string{"Accept-Encoding": tc.accept}
			}
			resp, body := get("/x.wasm", hdr)
			h := resp.Header
			if resp.StatusCode != 200 || body != tc.body || h.Get("Content-Encoding") != tc.encoding {
				t.Errorf("Accept-Encoding %q: %d, Content-Encoding %q, body %q", tc.accept, resp.StatusCode, h.Get("Content-Encoding"), body)
			}
			if h.Get("Content-Type") != "application/wasm" || h.Get("Vary") != "Accept-Encoding" {
				t.Errorf("Accept-Encoding %q: headers %v", tc.accept, h)
			}
			if h.Get("Content-Length") != fmt.Sprint(len(tc.body)) {
				t.Errorf("Accept-Encoding %q: Content-Length %q", tc.accept, h.Get("Content-Length"))
			}
		}
		resp, body := get("/only.js", map[string]string{"Accept-Encoding": "br, gzip"})
		if resp.Header.Get("Content-Encoding") != "gzip" || body != "gz" || resp.Header.Get("Content-Type") != "text/javascript; charset=utf-8" {
			t.Errorf("/only.js: %v %q", resp.Header, body)
		}
		resp, _ = get("/app.js", map[string]string{"Accept-Encoding": "br, gzip"})
		if resp.Header.Get("Vary") != "" || resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("/app.js without siblings: %v", resp.Header)
		}
		// A range applies to the encoded bytes, with correct lengths.
		resp, body = get("/x.wasm", map[string]string{"Accept-Encoding": "br", "Range": "bytes=0-3"})
		if resp.StatusCode != http.StatusPartialContent || body != "brot" || resp.Header.Get("Content-Length") != "4" ||
			resp.Header.Get("Content-Encoding") != "br" {
			t.Errorf("range: %d %v %q", resp.StatusCode, resp.Header, body)
		}
		// Validators differ per variant.
		r1, _ := get("/x.wasm", map[string]string{"Accept-Encoding": "br"})
		r2, _ := get("/x.wasm", nil)
		if r1.Header.Get("ETag") == "" || r1.Header.Get("ETag") == r2.Header.Get("ETag") {
			t.Errorf("ETags %q %q", r1.Header.Get("ETag"), r2.Header.Get("ETag"))
		}
		r3, _ := get("/x.wasm", map[string]string{"Accept-Encoding": "br", "If-None-Match": r1.Header.Get("ETag")})
		if r3.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match: %d", r3.StatusCode)
		}
	})

	t.Run("caching", func(t *testing.T) {
		for path, want := range map[string]string{
			"/gotoauth.3f2a9c1d.wasm":     "public, max-age=31536000, immutable",
			"/assets/hashed.0123abcd.css": "public, max-age=31536000, immutable",
			"/app.DEADBEEF.js":            "no-cache",
			"/app.js":                     "no-cache",
			"/":                           "no-cache",
		} {
			resp, _ := get(path, nil)
			if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != want {
				t.Errorf("%s: %d Cache-Control %q, want %q", path, resp.StatusCode, resp.Header.Get("Cache-Control"), want)
			}
		}
	})

	t.Run("methods", func(t *testing.T) {
		resp, body := s.raw(t, "HEAD", "/x.wasm", map[string]string{"Accept-Encoding": "gzip"})
		if resp.StatusCode != 200 || body != "" || resp.Header.Get("Content-Length") != "12" ||
			resp.Header.Get("Content-Type") != "application/wasm" || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("HEAD: %d %v %q", resp.StatusCode, resp.Header, body)
		}
		for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS"} {
			resp, _ := s.raw(t, m, "/app.js", map[string]string{"Content-Length": "0"})
			if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s: %d Allow %q", m, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
	})

	t.Run("emulator", func(t *testing.T) {
		resp, body := get("/goto/identity/v1/Users/me", nil)
		if resp.StatusCode != 401 || body != `{"int_err_code":"InvalidToken","msg":"Invalid token passed"}` {
			t.Errorf("/me: %d %q", resp.StatusCode, body)
		}
		if resp.Header.Get("Content-Security-Policy") != "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("/me headers %v", resp.Header)
		}
		_, port, _ := net.SplitHostPort(s.addr)
		for origin, allowed := range map[string]bool{
			"http://" + s.addr:          true,
			"http://localhost:" + port:  true,
			"http://localhost:1":        false,
			"https://evil.example":      false,
			"http://127.0.0.1.nip.io:1": false,
		} {
			resp, _ := s.raw(t, "OPTIONS", "/goto/oauth/token", map[string]string{
				"Origin": origin, "Access-Control-Request-Method": "POST"})
			got := resp.Header.Get("Access-Control-Allow-Origin")
			if resp.StatusCode != 204 || allowed && got != origin || !allowed && got != "" {
				t.Errorf("preflight from %s: %d ACAO %q", origin, resp.StatusCode, got)
			}
		}
		// The consent page is reachable through the mount.
		resp, body = get("/goto/oauth/authorize?response_type=code&client_id=gotoauth-backend&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb", nil)
		if resp.StatusCode != 200 || !strings.Contains(body, `id="allow"`) {
			t.Errorf("consent: %d", resp.StatusCode)
		}
	})

	t.Run("config", func(t *testing.T) {
		// Without -relay: the page signs in at the emulator, with its demo
		// client and at its endpoints (paths on this server); no relay.
		const config = `{"relay":"","clientId":"gotoauth-demo","emulator":true,` + emulatorEndpointsJSON + `}`
		wantJSON(t, s, "/serve-config.json", config)
		wantJSON(t, s, "/goto/_emulator/info", `{"emulator":true,"clientId":"gotoauth-demo","relay":""}`)
		// The endpoints it names are the emulator's.
		var endpoints map[string]any
		if err := json.Unmarshal([]byte(config), &endpoints); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"authorizeEndpoint", "tokenEndpoint", "meEndpoint"} {
			path, _ := endpoints[name].(string)
			if resp, _ := s.raw(t, "GET", path, nil); resp.StatusCode == 404 {
				t.Errorf("%s %s: 404", name, path)
			}
		}
		resp, body := s.raw(t, "HEAD", "/serve-config.json", nil)
		if resp.StatusCode != 200 || body != "" || resp.Header.Get("Content-Length") != strconv.Itoa(len(config)) {
			t.Errorf("HEAD: %d %v %q", resp.StatusCode, resp.Header, body)
		}
		for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS"} {
			resp, _ := s.raw(t, m, "/serve-config.json", map[string]string{"Content-Length": "0"})
			if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s: %d Allow %q", m, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
		// The one generated file, at its one path; .json stays unservable.
		for _, target := range []string{"/serve-config.json/", "/Serve-Config.json", "/sub/serve-config.json",
			"/serve-config.json.br", "/serve-config.json.gz", "/serve-config"} {
			if resp, body := get(target, nil); resp.StatusCode != 404 {
				t.Errorf("%s: %d %q", target, resp.StatusCode, body)
			}
		}
	})

	t.Run("shutdown", func(t *testing.T) {
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- s.cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("exit: %v\n%s", err, s.out)
			}
		case <-time.After(8 * time.Second):
			t.Fatalf("serve did not exit after SIGTERM\n%s", s.out)
		}
		if !strings.Contains(s.out.String(), "http://"+s.addr+"/") {
			t.Errorf("start line missing URL: %q", s.out)
		}
	})
}

// The helpers below TestServe's requests, called directly.

func TestAssetName(t *testing.T) {
	for p, want := range map[string]string{
		"/":                  "index.html",
		"/app.js":            "app.js",
		"/sub/ok.js":         "sub/ok.js",
		"/types.d.ts":        "types.d.ts",
		"/gotoauth.abc.wasm": "gotoauth.abc.wasm",
	} {
		if got, ok := assetName(p); !ok || got != want {
			t.Errorf("assetName(%q) = %q, %v; want %q", p, got, ok, want)
		}
	}
	for _, p := range []string{
		"", "app.js", "/../go.mod", "/sub/../app.js", "/./app.js", "//etc/passwd", "/sub//ok.js", "/sub/",
		"/a\\b.js", "/app.js\x00.txt", "/.hidden.js", "/.git/config",
		"/node_modules/x.js", "/Node_Modules/x.js", "/emulator/x.js", "/test/a.js", "/tests/a.js",
		"/main.go", "/x.GO", "/package.json", "/x.wasm.br", "/x.wasm.gz", "/README", "/index.html/",
	} {
		if got, ok := assetName(p); ok {
			t.Errorf("assetName(%q) = %q, want a refusal", p, got)
		}
	}
}

func TestOrigins(t *testing.T) {
	bound := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5555}
	got := strings.Join(origins("localhost:0", bound), " ")
	if want := "http://localhost:0 http://127.0.0.1:5555 http://localhost:5555"; got != want {
		t.Errorf("origins = %q, want %q", got, want)
	}
}

// TestServeAllowOrigin runs serve.go with two -allow-origin flags, as for a
// page on a dev server, and checks the emulator's CORS answers through a
// whole code exchange.
func TestServeAllowOrigin(t *testing.T) {
	const added = "http://127.0.0.1:5173"
	s := startServe(t, "-allow-origin", added, "-allow-origin", "HTTPS://App.Example.COM:443")
	_, port, _ := net.SplitHostPort(s.addr)

	// Preflights: the added origins (the second as browsers write it) and
	// serve's own get the CORS headers; neighbours of the added one do not.
	for origin, allowed := range map[string]bool{
		added:                       true,
		"https://app.example.com":   true,
		"http://" + s.addr:          true,
		"http://localhost:" + port:  true,
		"http://127.0.0.1:5174":     false,
		"https://127.0.0.1:5173":    false,
		"http://localhost:5173":     false,
		"http://127.0.0.1:5173/":    false,
		"https://app.example.com:1": false,
		"http://app.example.com":    false,
		"null":                      false,
	} {
		resp, _ := s.raw(t, "OPTIONS", "/goto/oauth/token", map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "authorization, content-type"})
		h := resp.Header
		if resp.StatusCode != 204 || !strings.Contains(h.Get("Vary"), "Origin") {
			t.Errorf("preflight from %s: %d, Vary %q", origin, resp.StatusCode, h.Get("Vary"))
		}
		if allowed {
			if h.Get("Access-Control-Allow-Origin") != origin || h.Get("Access-Control-Allow-Methods") != "GET, POST" ||
				h.Get("Access-Control-Allow-Headers") != "Authorization, Content-Type" {
				t.Errorf("preflight from %s: headers %v", origin, h)
			}
		} else if h.Get("Access-Control-Allow-Origin") != "" || h.Get("Access-Control-Allow-Methods") != "" {
			t.Errorf("preflight from %s, not allowed: headers %v", origin, h)
		}
	}

	// A code for the confidential client, redirected to the dev server.
	redirect := added + "/cb"
	resp, page := s.raw(t, "GET", "/goto/oauth/authorize?response_type=code&client_id=gotoauth-backend&state=s1&redirect_uri="+
		url.QueryEscape(redirect), nil)
	id := regexp.MustCompile(`name="request_id" value="([^"]+)"`).FindStringSubmatch(page)
	if resp.StatusCode != 200 || id == nil {
		t.Fatalf("consent page: %d %q", resp.StatusCode, page)
	}
	form := "application/x-www-form-urlencoded"
	resp, _ = s.send(t, "POST", "/goto/oauth/authorize/decision", map[string]string{"Content-Type": form},
		url.Values{"request_id": {id[1]}, "decision": {"allow"}}.Encode())
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("decision: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("gotoauth-backend:gotoauth+backend/secret=="))

	// The token request from the added origin is answered with its CORS header.
	resp, body := s.send(t, "POST", "/goto/oauth/token", map[string]string{
		"Origin": added, "Content-Type": form, "Authorization": basic},
		url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirect}}.Encode())
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &tok) != nil || tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("token from %s: %d %q", added, resp.StatusCode, body)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != added || !strings.Contains(resp.Header.Get("Vary"), "Origin") {
		t.Errorf("token from %s: ACAO %q, Vary %q", added, got, resp.Header.Get("Vary"))
	}

	// From an origin not added, the server still answers (CORS is the
	// browser's to enforce) but without the header, so no page there can
	// read the tokens.
	const other = "http://127.0.0.1:5174"
	resp, body = s.send(t, "POST", "/goto/oauth/token", map[string]string{
		"Origin": other, "Content-Type": form, "Authorization": basic},
		url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}.Encode())
	if resp.StatusCode != 200 || !strings.Contains(body, `"access_token"`) {
		t.Fatalf("refresh from %s: %d %q", other, resp.StatusCode, body)
	}
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("refresh from %s: ACAO %q", other, got)
	}
}

// TestServeAllowOriginRefused runs serve.go with values that are not
// origins: each makes it exit with status 2 and say why, before it serves.
func TestServeAllowOriginRefused(t *testing.T) {
	bin, tmp := buildServe(t)
	run := func(args ...string) (int, string) {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"-addr", "127.0.0.1:0", "-dir", tmp}, args...)...)
		var out syncBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		done := make(chan error, 1)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			var exit *exec.ExitError
			if err == nil {
				return 0, out.String()
			}
			if !errors.As(err, &exit) {
				t.Fatalf("%v: %v", args, err)
			}
			return exit.ExitCode(), out.String()
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Fatalf("%v: still running; it should have refused its flags\n%s", args, out.String())
			return 0, ""
		}
	}
	for _, v := range []string{"*", "", "null", "127.0.0.1:5173", "ftp://127.0.0.1", "http://127.0.0.1:5173/",
		"http://127.0.0.1:5173/app", "http://127.0.0.1:5173?x=1", "http://127.0.0.1:5173#top", "http://u@127.0.0.1",
		"http://127.0.0.1:0", "http://127.0.0.1:65536", "http://127.0.0.1:", "http://*.example.com", "http://"} {
		code, out := run("-emulator", "-allow-origin", "http://127.0.0.1:5173", "-allow-origin", v)
		if code != 2 || !strings.Contains(out, "invalid value") || !strings.Contains(out, "-allow-origin") ||
			!strings.Contains(out, "is not an origin") {
			t.Errorf("-allow-origin %q: exit %d\n%s", v, code, out)
		}
		if strings.Contains(out, "serving ") {
			t.Errorf("-allow-origin %q: it started serving\n%s", v, out)
		}
	}
	// Without -emulator there is nothing to allow an origin to.
	if code, out := run("-allow-origin", "http://127.0.0.1:5173"); code != 2 || !strings.Contains(out, "needs -emulator") {
		t.Errorf("-allow-origin without -emulator: exit %d\n%s", code, out)
	}
}

func TestOriginListFlag(t *testing.T) {
	var l originList
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&l, "allow-origin", "")
	if err := fs.Parse([]string{"-allow-origin", "http://127.0.0.1:5173", "-allow-origin=https://App.Example.com:443"}); err != nil {
		t.Fatal(err)
	}
	if got := l.String(); got != "http://127.0.0.1:5173 https://app.example.com" {
		t.Errorf("origins %q", got)
	}
	if err := fs.Parse([]string{"-allow-origin", "*"}); err == nil || !strings.Contains(err.Error(), "wildcard") {
		t.Errorf("-allow-origin *: %v", err)
	}
	if len(l) != 2 {
		t.Errorf("a refused value was kept: %q", l)
	}
	if (*originList)(nil).String() != "" {
		t.Error("nil String")
	}
}

// wantJSON GETs target and wants exactly body, as JSON that no cache keeps
// and no browser sniffs.
// emulatorEndpointsJSON are the endpoints /serve-config.json names with
// -emulator: the emulator's, as paths on serve's origin.
const emulatorEndpointsJSON = `"authorizeEndpoint":"/goto/oauth/authorize","tokenEndpoint":"/goto/oauth/token","meEndpoint":"/goto/identity/v1/Users/me"`

func wantJSON(t *testing.T, s *server, target, body string) {
	t.Helper()
	resp, got := s.raw(t, "GET", target, nil)
	if resp.StatusCode != 200 || got != body || resp.Header.Get("Content-Type") != "application/json" ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: %d %q %v, want %q", target, resp.StatusCode, got, resp.Header, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" && cc != "no-store" {
		t.Errorf("%s: Cache-Control %q", target, cc)
	}
	if target == "/serve-config.json" && resp.Header.Get("Content-Security-Policy") != wantCSP {
		t.Errorf("%s: CSP %q", target, resp.Header.Get("Content-Security-Policy"))
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

// relayCookie returns the value of the answer's relay cookie (relayapi.CookieName).
func relayCookie(t *testing.T, resp *http.Response) (*http.Cookie, string) {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == relayapi.CookieName {
			return c, resp.Header.Get("Set-Cookie")
		}
	}
	return nil, ""
}

// clearGoToEnv makes the child see none of the relay's variables.
func clearGoToEnv(t *testing.T) {
	for _, k := range []string{"GOTO_CLIENT_ID", "GOTO_CLIENT_SECRET", "GOTO_TOKEN_ENDPOINT", "GOTOAUTH_COOKIE_KEY",
		"GOTOAUTH_COOKIE_OLD_KEYS", "GOTOAUTH_REDIS_URL", "GOTO_REVOCATION_ENDPOINT"} {
		t.Setenv(k, "")
	}
}

// TestServeRelay runs serve.go with -emulator -relay and no GOTO_
// variables, signs in at the emulator's consent page with PKCE, and redeems,
// refreshes and signs out through the relay, which talks to the emulator's
// token endpoint as its confidential demo client, the client the page is
// told to sign in with.
func TestServeRelay(t *testing.T) {
	clearGoToEnv(t)
	s := startServe(t, "-relay")
	self := "http://" + s.addr

	// The page learns the relay and the client, never the secret, from
	// serve and from the emulator, which agree.
	wantJSON(t, s, "/serve-config.json", `{"relay":"/relay/","clientId":"gotoauth-demo","emulator":true,`+emulatorEndpointsJSON+`}`)
	wantJSON(t, s, "/goto/_emulator/info", `{"emulator":true,"clientId":"gotoauth-demo","relay":"/relay/"}`)
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
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &tok) != nil || tok["access_token"] == nil || tok["token_type"] != "Bearer" {
		t.Fatalf("/relay/token: %d %q", resp.StatusCode, body)
	}
	if _, ok := tok["refresh_token"]; ok {
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
	resp, _ = s.raw(t, "GET", "/goto/identity/v1/Users/me", map[string]string{"Authorization": "Bearer " + tok["access_token"].(string)})
	if resp.StatusCode != 200 {
		t.Errorf("/me: %d", resp.StatusCode)
	}

	// Refresh with the cookie: a new access token, the cookie kept (the
	// emulator, like GoTo, rotates only near the end of 30 days).
	resp, body = s.relayPost(t, "/relay/refresh", cookie, "")
	var again map[string]any
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &again) != nil || again["access_token"] == nil ||
		again["access_token"] == tok["access_token"] {
		t.Fatalf("/relay/refresh: %d %q", resp.StatusCode, body)
	}
	if _, ok := again["refresh_token"]; ok || resp.Header.Get("Set-Cookie") != "" {
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

	// No key in the environment: one line says what that means. The
	// emulator's secret shows nowhere.
	out := s.out.String()
	if !strings.Contains(out, "GOTOAUTH_COOKIE_KEY is not set") || strings.Contains(out, "gotoauth+demo/secret==") {
		t.Errorf("output %q", out)
	}
}

// TestServeRelayEnv runs serve.go with -emulator -relay and GOTO_ variables
// set: the relay then uses them, here a fake token endpoint in this test,
// and not the emulator.
func TestServeRelayEnv(t *testing.T) {
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
	clearGoToEnv(t)
	t.Setenv("GOTO_CLIENT_ID", id)
	t.Setenv("GOTO_CLIENT_SECRET", secret)
	t.Setenv("GOTO_TOKEN_ENDPOINT", fake.URL+"/oauth/token")
	t.Setenv("GOTOAUTH_COOKIE_KEY", "9Gm0Z3kT1pQ6yCq8m3XbV0sJk2c5rWf7Hn4eLd1aUoI=")
	s := startServe(t, "-relay")

	// The page signs in at GoTo (here the fake) as the relay's client: the
	// emulator, still mounted, has no relay of its own to offer.
	wantJSON(t, s, "/serve-config.json", `{"relay":"/relay/","clientId":"env-client","emulator":false}`)
	wantJSON(t, s, "/goto/_emulator/info", `{"emulator":true,"clientId":"gotoauth-demo","relay":""}`)

	resp, body := s.relayPost(t, "/relay/token", "", "code=c&redirect_uri="+url.QueryEscape("http://"+s.addr+"/"))
	if resp.StatusCode != 200 || body != `{"access_token":"at","expires_in":3600,"token_type":"Bearer"}` {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if gotAuth != "Basic "+base64.StdEncoding.EncodeToString([]byte(id+":"+secret)) ||
		gotForm != "grant_type=authorization_code&code=c&redirect_uri="+url.QueryEscape("http://"+s.addr+"/") {
		t.Errorf("the fake GoTo got %q %q", gotAuth, gotForm)
	}
	if out := s.out.String(); strings.Contains(out, "not set") || strings.Contains(out, secret) {
		t.Errorf("output %q", out)
	}
}

// TestServeRelayRefused: -relay without -emulator needs the GoTo client
// from the environment, and exits 2 with the reason before serving.
func TestServeRelayRefused(t *testing.T) {
	bin, tmp := buildServe(t)
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{nil, "GOTO_CLIENT_ID and GOTO_CLIENT_SECRET must be set"},
		{[]string{"GOTO_CLIENT_ID=x"}, "GOTO_CLIENT_SECRET must be set"},
		{[]string{"GOTO_CLIENT_ID=x", "GOTO_CLIENT_SECRET=y", "GOTO_TOKEN_ENDPOINT=http://example.com/token"}, "must use https"},
		{[]string{"GOTO_CLIENT_ID=x", "GOTO_CLIENT_SECRET=y", "GOTOAUTH_COOKIE_KEY=c2hvcnQ="}, "32 random bytes"},
	} {
		cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-dir", tmp, "-relay")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "GOTO_") && !strings.HasPrefix(kv, "GOTOAUTH_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, tc.env...)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), tc.want) || strings.Contains(string(out), "serving ") {
			t.Errorf("%v: %v\n%s", tc.env, err, out)
		}
	}
}

// TestServeConfig runs serve.go without the emulator: with -relay and a
// GoTo client from the environment, /serve-config.json tells the page the
// relay and the client id, never the secret; with neither flag, that there
// is nothing but GoTo.
func TestServeConfig(t *testing.T) {
	const id, secret = "goto-client-id", "goto+client/secret=="
	clearGoToEnv(t)
	t.Setenv("GOTO_CLIENT_ID", id)
	t.Setenv("GOTO_CLIENT_SECRET", secret)
	s := startServeFlags(t, "-relay")
	wantJSON(t, s, "/serve-config.json", `{"relay":"/relay/","clientId":"goto-client-id","emulator":false}`)
	for _, target := range []string{"/serve-config.json", "/", "/index.html", "/goto/_emulator/info", "/relay/config"} {
		resp, body := s.raw(t, "GET", target, nil)
		if strings.Contains(body, secret) || strings.Contains(fmt.Sprint(resp.Header), secret) {
			t.Errorf("%s shows the secret: %v %q", target, resp.Header, body)
		}
	}
	if resp, _ := s.raw(t, "GET", "/goto/_emulator/info", nil); resp.StatusCode != 404 {
		t.Errorf("info without -emulator: %d", resp.StatusCode)
	}
	if out := s.out.String(); strings.Contains(out, secret) || !strings.Contains(out, "client_id="+id) {
		t.Errorf("output %q", out)
	}

	plain := startServeFlags(t)
	wantJSON(t, plain, "/serve-config.json", `{"relay":"","clientId":"","emulator":false}`)
	if resp, _ := plain.raw(t, "POST", "/relay/token", map[string]string{"Content-Length": "0"}); resp.StatusCode != 404 && resp.StatusCode != 405 {
		t.Errorf("relay without -relay: %d", resp.StatusCode)
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

// startInstance starts the serve binary on addr (a free loopback address
// when ""), serving dir, and waits until it listens. With env, the child
// gets this environment less its GOTO_ and GOTOAUTH_ variables, plus env:
// serve.go -relay as one of several instances, with the same binary, key
// and Redis and its own address (the same one again when restarted).
func startInstance(t *testing.T, bin, dir, addr string, env []string, flags ...string) *server {
	t.Helper()
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
	if env != nil {
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "GOTO_") && !strings.HasPrefix(kv, "GOTOAUTH_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, env...)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return &server{addr: addr, cmd: cmd, out: out}
		}
		if cmd.ProcessState != nil || time.Now().After(deadline) {
			t.Fatalf("serve did not start: %v\n%s", err, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServeRelayInstances runs three serve.go -relay processes that share
// the cookie key and a Redis (a redis-server of the test's own), mounted at
// -relay-path /auth/relay/, for a page on https://app.example, in front of
// a GoTo that rotates every refresh token and answers slowly.
func TestServeRelayInstances(t *testing.T) {
	srv := redistest.Start(t)
	g := newSlowGoTo(t)
	bin, tmp := buildServe(t)
	dir := filepath.Join(tmp, "web")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html>"), 0o644)
	const page = "https://app.example"
	env := []string{
		"GOTO_CLIENT_ID=multi", "GOTO_CLIENT_SECRET=multi+secret",
		"GOTO_TOKEN_ENDPOINT=" + g.srv.URL + "/oauth/token",
		"GOTOAUTH_COOKIE_KEY=" + "kq3L0v9dYt2WmE5sRz8cNf1bHx7pJa4gUo6iTe0yXwQ=",
		"GOTOAUTH_REDIS_URL=" + srv.URL(),
	}
	flags := []string{"-relay", "-relay-path", "/auth/relay/", "-allow-origin", page}
	var insts [3]*server
	for i := range insts {
		insts[i] = startInstance(t, bin, dir, "", env, flags...)
	}
	wantJSON(t, insts[0], "/serve-config.json", `{"relay":"/auth/relay/","clientId":"multi","emulator":false}`)

	hc := &http.Client{Timeout: 30 * time.Second}
	post := func(s *server, path, cookie, body string) (int, http.Header, string) {
		t.Helper()
		r, _ := http.NewRequest("POST", "http://"+s.addr+"/auth/relay/"+path, strings.NewReader(body))
		r.Header.Set("Origin", page)
		r.Header.Set("X-GoToAuth", "1")
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
			answers[i] = answer{code, m["access_token"], c, k}
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
	insts[1].cmd.Wait()
	insts[1] = startInstance(t, bin, dir, insts[1].addr, env, flags...)
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
	g.mu.Lock()
	g.gate = nil
	g.mu.Unlock()

	// Redis stopped: 503 with Retry-After, GoTo not asked; /healthz (an
	// alias of /readyz) stays 200, since every instance shares the store,
	// and says the store is down; Redis back: everything works again, by
	// itself.
	fresh := signIn(insts[1])
	srv.Stop()
	for _, s := range insts {
		for _, path := range []string{"refresh", "signout"} {
			code, h, body := post(s, path, fresh, "")
			if code != 503 || h.Get("Retry-After") == "" || h.Get("Set-Cookie") != "" {
				t.Errorf("%s without Redis: %d %v %s", path, code, h, body)
			}
		}
		if h := health(s); h != 200 {
			t.Errorf("healthz without Redis: %d", h)
		}
	}
	if c := g.count(); c != 2 {
		t.Fatalf("GoTo was asked %d times without Redis", c)
	}
	srv.Restart()
	for _, s := range insts {
		deadline := time.Now().Add(20 * time.Second)
		for !storeReachable(t, hc, s) {
			if time.Now().After(deadline) {
				t.Fatal("no recovery")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if code, _, body := post(insts[2], "refresh", fresh, ""); code != 200 {
		t.Fatalf("after Redis came back: %d %s", code, body)
	}
}

// storeReachable reports whether s's /readyz says its store is reachable.
func storeReachable(t *testing.T, hc *http.Client, s *server) bool {
	resp, err := hc.Get("http://" + s.addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strings.Contains(string(b), "store: reachable")
}

func TestCheckRelayPath(t *testing.T) {
	for _, p := range []string{"/relay/", "/auth/relay/", "/a/b/c/"} {
		if err := checkRelayPath(p); err != nil {
			t.Errorf("%q: %v", p, err)
		}
	}
	for _, p := range []string{"/", "relay/", "/relay", "/goto/relay/", ""} {
		if err := checkRelayPath(p); err == nil {
			t.Errorf("%q accepted", p)
		}
	}
}

// /healthz without a relay is 200; it takes GET and HEAD only.
func TestHealthWithoutRelay(t *testing.T) {
	h := handler(http.NotFoundHandler(), nil, nil, []byte("{}"))
	for method, want := range map[string]int{"GET": 200, "HEAD": 200, "POST": 405} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/healthz", nil))
		if rec.Code != want || rec.Header().Get("Cache-Control") == "" {
			t.Errorf("%s: %d %v", method, rec.Code, rec.Header())
		}
	}
}
