//go:build !windows && !js && !wasip1

package main

// Tests of serve.go. TestServe builds the real command and talks to it over
// loopback TCP, writing every request by hand so that no client-side path
// cleaning hides a traversal attempt. (Symlinks, SIGTERM and the child
// process are why these tests skip Windows and the js and wasip1 ports.)

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
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

func startServe(t *testing.T) *server {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("serve.go's tests build it with the go command, which is not on PATH")
	}
	repo, err := filepath.Abs(".") // go test runs in the package's folder, the repository root
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "serve")
	build := exec.Command(goBin, "build", "-o", bin, "serve.go")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build serve.go: %v\n%s", err, out)
	}

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

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	out := new(syncBuffer)
	cmd := exec.Command(bin, "-addr", addr, "-dir", web, "-emulator")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{addr: addr, cmd: cmd, out: out}
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
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %v\n%s", err, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// raw sends one request line exactly as given and returns the parsed response.
func (s *server) raw(t *testing.T, method, target string, header map[string]string) (*http.Response, string) {
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
	b.WriteString("\r\n")
	if _, err := io.WriteString(c, b.String()); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, "http://"+s.addr+"/", nil)
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
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
