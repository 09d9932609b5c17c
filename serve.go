// Command serve is gotoauth's local static file server for the demo and the
// browser tests:
//
//	go run serve.go [-addr 127.0.0.1:8080] [-dir web] [-emulator]
//
// It serves only web assets (an allowlist of extensions) from -dir, so that
// the source, package.json, node_modules and test output next to them stay
// private, and it sends the headers a deployment should send: exact MIME
// types (WebAssembly streaming compilation requires application/wasm),
// nosniff, no referrer, and a Content-Security-Policy that allows exactly
// what the library needs. With -emulator it also mounts the local GoTo OAuth
// emulator under /goto/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gotoauth/web/emulator"
)

// csp is the policy of every page and asset. 'wasm-unsafe-eval' lets the page
// compile WebAssembly without allowing eval; connect-src names GoTo's token
// and API hosts, the only remote servers the library talks to.
const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
	"connect-src 'self' https://authentication.logmeininc.com https://api.getgo.com; " +
	"img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// contentTypes is both the allowlist of servable extensions and their exact
// Content-Type; nothing is left to sniffing or to the system's mime tables.
// .json is deliberately absent: package.json and lock files live in web/.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".wasm": "application/wasm",
	".png":  "image/png",
	".svg":  "image/svg+xml",
	".ico":  "image/x-icon",
	".map":  "application/json; charset=utf-8",
	".d.ts": "text/plain; charset=utf-8",
	".txt":  "text/plain; charset=utf-8",
}

// suffixes maps a content coding to the suffix of its precompressed sibling.
var suffixes = map[string]string{"br": ".br", "gzip": ".gz"}

// deniedSegments are folders that sit next to the assets but are not assets.
var deniedSegments = map[string]bool{
	"node_modules": true,
	"emulator":     true,
	"test":         true,
	"tests":        true,
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	dir := flag.String("dir", "web", "folder of web assets")
	emu := flag.Bool("emulator", false, "mount the GoTo OAuth emulator under /goto/")
	flag.Parse()

	// os.Root confines every open to dir: neither ".." nor a symlink can
	// reach outside it.
	root, err := os.OpenRoot(*dir)
	if err != nil {
		log.Fatal(err)
	}
	defer root.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	var api http.Handler
	if *emu {
		api = http.StripPrefix("/goto", emulator.New(emulator.Config{AllowedOrigins: origins(*addr, ln.Addr())}))
	}
	srv := &http.Server{
		Handler:           handler(&static{root: root}, api),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Printf("serving %s at http://%s/\n", *dir, ln.Addr())

	select {
	case err := <-errc:
		log.Fatal(err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// origins are the page origins that may call the emulator cross-origin:
// the address as given, and its 127.0.0.1 / localhost twin on the bound port.
func origins(addr string, bound net.Addr) []string {
	out := []string{"http://" + addr}
	if _, port, err := net.SplitHostPort(bound.String()); err == nil {
		out = append(out, "http://127.0.0.1:"+port, "http://localhost:"+port)
	}
	return out
}

// handler sends the emulator its prefix and everything else to the static
// files. It does not use http.ServeMux, whose path cleaning would turn
// traversal attempts into redirects instead of refusals.
func handler(files, api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		if api != nil && strings.HasPrefix(r.URL.Path, "/goto/") {
			api.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Security-Policy", csp)
		files.ServeHTTP(w, r)
	})
}

// static serves the assets under root.
type static struct{ root *os.Root }

func (s *static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		textError(w, http.StatusMethodNotAllowed)
		return
	}
	name, ok := assetName(r.URL.Path)
	if !ok {
		textError(w, http.StatusNotFound)
		return
	}
	info, err := s.root.Stat(name)
	if err != nil || !info.Mode().IsRegular() {
		textError(w, http.StatusNotFound)
		return
	}

	// Precompressed siblings: pick the best acceptable one.
	served, encoding := name, ""
	var candidates []string
	for _, enc := range []string{"br", "gzip"} {
		if fi, err := s.root.Stat(name + suffixes[enc]); err == nil && fi.Mode().IsRegular() {
			candidates = append(candidates, enc)
		}
	}
	if len(candidates) > 0 {
		w.Header().Add("Vary", "Accept-Encoding")
		if enc := negotiate(r.Header.Get("Accept-Encoding"), candidates); enc != "" {
			served, encoding = name+suffixes[enc], enc
		}
	}
	f, err := s.root.Open(served)
	if err != nil {
		textError(w, http.StatusNotFound)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		textError(w, http.StatusNotFound)
		return
	}

	h := w.Header()
	h.Set("Content-Type", contentTypes[extension(name)])
	if hashed(name) {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	// Each variant gets its own validator so caches never mix them up.
	etag := strconv.FormatInt(fi.ModTime().UnixNano(), 36) + "-" + strconv.FormatInt(fi.Size(), 36)
	if encoding != "" {
		etag += "-" + encoding
	}
	h.Set("ETag", `"`+etag+`"`)
	if encoding != "" {
		w = encodedWriter{w, encoding}
	}
	http.ServeContent(w, r, name, fi.ModTime(), f)
}

// encodedWriter adds Content-Encoding only when the body is sent. Set any
// earlier, it would make http.ServeContent leave out Content-Length (it
// assumes a compressing middleware), which HEAD responses need.
type encodedWriter struct {
	http.ResponseWriter
	encoding string
}

func (w encodedWriter) WriteHeader(code int) {
	if code == http.StatusOK || code == http.StatusPartialContent {
		w.Header().Set("Content-Encoding", w.encoding)
	}
	w.ResponseWriter.WriteHeader(code)
}

// assetName maps a URL path to a name inside the root, refusing anything that
// is not plainly an asset: empty, dot-leading or denied segments, backslashes,
// NULs, unknown extensions, .go files and directories other than "/".
func assetName(p string) (string, bool) {
	if p == "/" {
		return "index.html", true
	}
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		return "", false
	}
	name := p[1:]
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || strings.HasPrefix(seg, ".") || deniedSegments[strings.ToLower(seg)] {
			return "", false
		}
	}
	if strings.HasSuffix(strings.ToLower(name), ".go") || contentTypes[extension(name)] == "" {
		return "", false
	}
	if !fs.ValidPath(name) {
		return "", false
	}
	return name, true
}

// extension returns the allowlist key of name: ".d.ts" or path.Ext.
func extension(name string) string {
	if strings.HasSuffix(name, ".d.ts") {
		return ".d.ts"
	}
	return path.Ext(name)
}

// hashed reports whether the file name carries a content hash, a middle
// dot-separated segment of 8 or more lowercase hex digits
// (gotoauth.3f2a9c1d.wasm); such a file never changes, so it is cached forever.
func hashed(name string) bool {
	segs := strings.Split(path.Base(name), ".")
	if len(segs) < 3 {
		return false
	}
	for _, s := range segs[1 : len(segs)-1] {
		if len(s) >= 8 && strings.Trim(s, "0123456789abcdef") == "" {
			return true
		}
	}
	return false
}

// negotiate returns the first of candidates (in server preference order)
// with the highest non-zero quality in an Accept-Encoding header, or "".
func negotiate(header string, candidates []string) string {
	q := map[string]float64{}
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding == "" {
			continue
		}
		quality := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				quality = f
			}
		}
		q[coding] = quality
	}
	best, bestQ := "", 0.0
	for _, c := range candidates {
		v, ok := q[c]
		if !ok && c == "gzip" {
			v, ok = q["x-gzip"]
		}
		if !ok {
			v = q["*"]
		}
		if v > bestQ {
			best, bestQ = c, v
		}
	}
	return best
}

func textError(w http.ResponseWriter, status int) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	fmt.Fprintln(w, http.StatusText(status))
}
