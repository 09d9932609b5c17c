// Package static serves a page's assets from one folder, as a deployment
// should, for serve.go: only files of an allowlist of extensions, each with
// its exact Content-Type (WebAssembly streaming compilation requires
// application/wasm); never sources, package files, dependencies or tests
// beside them; GET and HEAD only; the precompressed sibling (.br, .gz) the
// browser accepts best; nosniff, no referrer, and a Content-Security-Policy
// that allows exactly what the library needs.
//
// It does not use http.ServeMux or http.FileServer, whose path cleaning
// would turn traversal attempts into redirects instead of refusals, and
// os.Root confines every open to the folder: neither ".." nor a symlink
// reaches outside it.
package static

import (
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"

	"gotoauth/web/oauthhttp"
)

// CSP is the policy of every page and asset. 'wasm-unsafe-eval' lets the
// page compile WebAssembly without allowing eval; connect-src names GoTo's
// token and API hosts, the only remote servers the library talks to.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
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

// deniedSegments are folders that sit next to the assets but are not assets.
var deniedSegments = map[string]bool{
	"node_modules": true,
	"emulator":     true,
	"test":         true,
	"tests":        true,
}

// Server serves the assets under a root, and answers made in memory at
// paths of their own (Handle). Create it with New.
type Server struct {
	root  *os.Root
	extra map[string]http.Handler
}

// New serves the assets under root.
func New(root *os.Root) *Server {
	return &Server{root: root, extra: map[string]http.Handler{}}
}

// Handle answers exactly path with h, with the assets' headers: for a file
// made in memory, such as serve.go's page configuration. Call it before
// serving.
func (s *Server) Handle(path string, h http.Handler) { s.extra[path] = h }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	oauthhttp.NoSniff(h)
	h.Set("Content-Security-Policy", CSP)
	if extra, ok := s.extra[r.URL.Path]; ok {
		extra.ServeHTTP(w, r)
		return
	}
	if !oauthhttp.ReadOnly(w, r) {
		return
	}
	name, ok := assetName(r.URL.Path)
	if !ok {
		oauthhttp.TextError(w, http.StatusNotFound)
		return
	}
	s.serveFile(w, r, name)
}

// serveFile serves name, or the precompressed sibling the request accepts
// best, never cached without asking again.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	if info, err := s.root.Stat(name); err != nil || !info.Mode().IsRegular() {
		oauthhttp.TextError(w, http.StatusNotFound)
		return
	}
	served, encoding := name, ""
	var candidates []string
	for _, enc := range codings {
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
		oauthhttp.TextError(w, http.StatusNotFound)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		oauthhttp.TextError(w, http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentTypes[extension(name)])
	h.Set("Cache-Control", "no-cache")
	// Each variant gets its own validator so caches never mix them up.
	etag := strconv.FormatInt(fi.ModTime().UnixNano(), 36) + "-" + strconv.FormatInt(fi.Size(), 36)
	if encoding != "" {
		etag += "-" + encoding
		w = encodedWriter{w, encoding}
	}
	h.Set("ETag", `"`+etag+`"`)
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
