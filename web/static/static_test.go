//go:build !windows && !js && !wasip1

package static

// The server runs in this process behind httptest; every request is written
// by hand over TCP so that no client-side path cleaning hides a traversal
// attempt. (Symlinks are why these tests skip Windows.)

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixture makes a folder of assets and of things beside them that are not,
// with symlinks inside and out, and serves it.
func fixture(t *testing.T) *httptest.Server {
	t.Helper()
	tmp := t.TempDir()
	for name, body := range map[string]string{
		"web/index.html":             "<!doctype html><title>index</title>",
		"web/app.js":                 "console.log('app')",
		"web/mod.mjs":                "export {}",
		"web/style.css":              "body{}",
		"web/types.d.ts":             "export {}",
		"web/x.wasm":                 "\x00asm-identity",
		"web/x.wasm.br":              "brotli-bytes",
		"web/x.wasm.gz":              "gzip-bytes!!",
		"web/only.js":                "only gz sibling",
		"web/only.js.gz":             "gz",
		"web/gotoauth.3f2a9c1d.wasm": "\x00asm-hashed",
		"web/main.go":                "package main",
		"web/package.json":           "{}",
		"web/node_modules/x.js":      "dependency",
		"web/tests/a.js":             "test",
		"web/emulator/emulator.js":   "no",
		"web/.hidden":                "secret",
		"web/.git/config":            "secret",
		"web/sub/ok.js":              "nested",
		"web/sub/index.html":         "nested index",
		"outside/secret.txt":         "outside secret",
		"outside/secret.js":          "outside secret",
		"web/assets/logo.svg":        "<svg/>",
	} {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(tmp, "outside")
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
	root, err := os.OpenRoot(filepath.Join(tmp, "web"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	s := New(root)
	s.Handle("/generated.json", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

// raw sends one request exactly as given and returns the parsed response.
func raw(t *testing.T, srv *httptest.Server, method, target string, header map[string]string) (*http.Response, string) {
	t.Helper()
	addr := srv.Listener.Addr().String()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", method, target, addr)
	for k, v := range header {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(c, b.String()); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, "http://"+addr+"/", nil)
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	return resp, string(got)
}

func TestTypesAndHeaders(t *testing.T) {
	srv := fixture(t)
	for _, tc := range []struct{ path, ctype, body string }{
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
		// No build emits hashed names: a name that looks hashed is
		// revalidated like any other.
		{"/gotoauth.3f2a9c1d.wasm", "application/wasm", "\x00asm-hashed"},
		{"/generated.json", "application/json", "{}"},
	} {
		resp, body := raw(t, srv, "GET", tc.path, nil)
		h := resp.Header
		if resp.StatusCode != 200 || body != tc.body {
			t.Errorf("%s: %d %q", tc.path, resp.StatusCode, body)
		}
		if got := h.Get("Content-Type"); got != tc.ctype {
			t.Errorf("%s: Content-Type %q, want %q", tc.path, got, tc.ctype)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("Content-Security-Policy") != CSP {
			t.Errorf("%s: headers %v", tc.path, h)
		}
		if got := h.Get("Cache-Control"); got != "no-cache" && tc.path != "/generated.json" {
			t.Errorf("%s: Cache-Control %q", tc.path, got)
		}
	}
}

func TestRefusals(t *testing.T) {
	srv := fixture(t)
	for _, target := range []string{
		"/../go.mod", "/%2e%2e/go.mod", "/..%2fgo.mod", "/%2e%2e%2fgo.mod", "//etc/passwd",
		"/..\\go.mod", "/sub/../app.js", "/./app.js", "/sub//ok.js",
		"/escape.txt", "/rel.js", "/outdir/secret.js", "/outdir/secret.txt",
		"/main.go", "/package.json", "/node_modules/x.js", "/Node_Modules/x.js", "/tests/a.js",
		"/emulator/emulator.js", "/.hidden", "/.git/config", "/sub/", "/sub", "/sub/index.html/",
		"/x.wasm.br", "/x.wasm.gz", "/only.js.gz", "/missing.js", "/serve.go",
		"/app.js%00.txt", "/generated.json/", "/Generated.json", "/sub/generated.json", "/generated.json.br",
	} {
		resp, body := raw(t, srv, "GET", target, nil)
		if resp.StatusCode != 404 {
			t.Errorf("%s: status %d, body %q", target, resp.StatusCode, body)
		}
		if strings.Contains(body, "secret") || strings.Contains(body, "module") {
			t.Errorf("%s leaked %q", target, body)
		}
		if resp.Header.Get("Content-Security-Policy") != CSP || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", target, resp.Header)
		}
	}
	// The sub folder's index is reachable by its name only.
	if resp, _ := raw(t, srv, "GET", "/sub/index.html", nil); resp.StatusCode != 200 {
		t.Errorf("/sub/index.html: %d", resp.StatusCode)
	}
}

func TestPrecompressed(t *testing.T) {
	srv := fixture(t)
	get := func(target string, header map[string]string) (*http.Response, string) {
		return raw(t, srv, "GET", target, header)
	}
	for _, tc := range []struct {
		accept, encoding, body string
	}{
		{"", "", "\x00asm-identity"},
		{"br", "br", "brotli-bytes"},
		{"gzip, deflate, br", "br", "brotli-bytes"},
		{"gzip", "gzip", "gzip-bytes!!"},
		{"x-gzip", "gzip", "gzip-bytes!!"},
		{"br;q=0, gzip", "gzip", "gzip-bytes!!"},
		{"br;q=0", "", "\x00asm-identity"},
		{"BR ; Q=0.5, gzip;q=0.8", "gzip", "gzip-bytes!!"},
		{"gzip;q=0.5, br;q=0.5", "br", "brotli-bytes"},
		{"br;q=2, gzip", "gzip", "gzip-bytes!!"},
		{"br;q=x", "", "\x00asm-identity"},
		{"*", "br", "brotli-bytes"},
		{"*;q=0", "", "\x00asm-identity"},
		{"br;q=0, *", "gzip", "gzip-bytes!!"},
		{"identity", "", "\x00asm-identity"},
		{"deflate", "", "\x00asm-identity"},
	} {
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
	if r3.StatusCode != http.StatusNotModified || r3.Header.Get("Content-Encoding") != "" {
		t.Errorf("If-None-Match: %d %v", r3.StatusCode, r3.Header)
	}
}

func TestMethods(t *testing.T) {
	srv := fixture(t)
	resp, body := raw(t, srv, "HEAD", "/x.wasm", map[string]string{"Accept-Encoding": "gzip"})
	if resp.StatusCode != 200 || body != "" || resp.Header.Get("Content-Length") != "12" ||
		resp.Header.Get("Content-Type") != "application/wasm" || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("HEAD: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS"} {
		for _, target := range []string{"/app.js", "/missing.js", "/../go.mod"} {
			resp, _ := raw(t, srv, m, target, map[string]string{"Content-Length": "0"})
			if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: %d Allow %q", m, target, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
	}
}

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
