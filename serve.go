// Command serve is gotoauth's local static file server for the demo and the
// browser tests:
//
//	go run serve.go [-addr 127.0.0.1:8080] [-dir web] [-emulator] [-relay] [-relay-path /relay/] [-allow-origin http://127.0.0.1:5173 ...]
//
// It serves only web assets (an allowlist of extensions) from -dir, and one
// generated JSON file (below), so that the source, package.json,
// node_modules and test output next to them stay private, and it sends
// the headers a deployment should send: exact MIME types (WebAssembly
// streaming compilation requires application/wasm), nosniff, no referrer,
// and a Content-Security-Policy that allows exactly what the library needs.
// With -emulator it also mounts the local GoTo OAuth emulator under /goto/,
// which answers cross-origin requests from this server's own origin and
// from each -allow-origin (a page served elsewhere, such as a Vite dev
// server). With -relay it mounts the token relay
// (package web/relay) under -relay-path (/relay/ by default), for the same
// origins: it redeems codes and refreshes tokens at GoTo with the client
// secret a page must not hold. The relay's configuration comes from the
// environment (relayenv.Load: GOTO_CLIENT_ID, GOTO_CLIENT_SECRET,
// GOTO_TOKEN_ENDPOINT, GOTO_REVOCATION_ENDPOINT, GOTOAUTH_COOKIE_KEY,
// GOTOAUTH_COOKIE_OLD_KEYS, GOTOAUTH_REDIS_URL, each secret also as a
// _FILE), never from flags, which ps shows; with -emulator and no GOTO_
// variable set, its client is the emulator's confidential demo client on
// this server.
//
// relayserver runs it all: the probes (GET /livez, /readyz, and /healthz,
// an alias of /readyz), -metrics-addr, -log-format, -log-level, the drain
// on SIGTERM (-drain, -shutdown-timeout) and -check-config. `make relay`
// builds this program as the relay's static binary, which serves no files
// unless -dir names a folder.
//
// Besides the assets, serve.go answers one generated file, GET
// /serve-config.json, which tells a page how to sign in here (see
// pageConfig): {"relay":"/relay/","clientId":"…","emulator":false}, where
// relay is -relay-path. It never holds the secret.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gotoauth/web/emulator"
	"gotoauth/web/oauthhttp"
	"gotoauth/web/relay"
	"gotoauth/web/relay/relayenv"
	"gotoauth/web/relay/relayserver"
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

// defaultDir is -dir's default: web, for development (go run serve.go).
// `make relay` links the relay's binary with it empty
// (-X main.defaultDir=), so that the binary serves no files unless -dir
// names a folder.
var defaultDir = "web"

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	dir := flag.String("dir", defaultDir, "folder of web assets; none when empty")
	emu := flag.Bool("emulator", false, "mount the GoTo OAuth emulator under /goto/")
	useRelay := flag.Bool("relay", false, "mount the token relay under -relay-path; its GoTo client comes from GOTO_CLIENT_ID and GOTO_CLIENT_SECRET (with -emulator and neither set, the emulator's)")
	relayPath := flag.String("relay-path", relay.Path, "the `folder` the relay is mounted under, such as /auth/relay/; the refresh cookie's Path")
	var allow originList
	flag.Var(&allow, "allow-origin", "an `origin` (scheme://host[:port]) whose pages may call the emulator and the relay, besides this server's; repeatable")
	ops := relayserver.Flags(flag.CommandLine) // -metrics-addr -log-format -log-level -drain -shutdown-timeout -check-config
	flag.Parse()
	srv, err := relayserver.New(*ops, os.Stderr)
	if err != nil {
		fmt.Fprintln(flag.CommandLine.Output(), err)
		os.Exit(2)
	}
	relayenv.LogRedisTo(srv.Logger())
	if err := checkRelayPath(*relayPath); err != nil {
		fmt.Fprintln(flag.CommandLine.Output(), "-relay-path:", err)
		os.Exit(2)
	}
	if len(allow) > 0 && !*emu && !*useRelay {
		fmt.Fprintln(flag.CommandLine.Output(), "-allow-origin needs -emulator or -relay: it adds origins to their CORS lists")
		flag.Usage()
		os.Exit(2)
	}
	// The relay's client is read before anything is served, so that a
	// missing secret stops serve here.
	var relayCfg relay.Config
	var loaded relayenv.Config
	emulated := *useRelay && *emu && !gotoEnvSet(os.Getenv)
	if *useRelay {
		env := relayenv.OS
		if emulated {
			env.Getenv = emulatorEnv(os.Getenv)
		}
		if ops.CheckConfig {
			if !relayserver.CheckConfig(os.Stdout, env, func(c *relay.Config) {
				c.AllowedOrigins = append(origins(*addr, nil), allow...)
				c.Path = *relayPath
			}) {
				os.Exit(1)
			}
			os.Exit(0)
		}
		if loaded, err = relayenv.Load(env); err != nil {
			fmt.Fprintln(flag.CommandLine.Output(), "-relay:", err)
			os.Exit(2)
		}
		defer loaded.Close()
		relayCfg = loaded.Relay
	} else if ops.CheckConfig {
		fmt.Println("no -relay: only the flags are checked, and they parse")
		os.Exit(0)
	}

	// os.Root confines every open to dir: neither ".." nor a symlink can
	// reach outside it.
	var files http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { textError(w, http.StatusNotFound) })
	if *dir != "" {
		root, err := os.OpenRoot(*dir)
		if err != nil {
			log.Fatal(err)
		}
		defer root.Close()
		files = &static{root: root}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	allowed := append(origins(*addr, ln.Addr()), allow...)
	var api http.Handler
	var rl *relay.Relay
	// The page signs in at the emulator when there is one and the relay, if
	// any, uses its client; otherwise at GoTo.
	page := pageConfig{Emulator: *emu && (!*useRelay || emulated)}
	if *useRelay {
		page.Relay, page.ClientID = *relayPath, relayCfg.ClientID
	}
	if page.Emulator {
		page.withEmulator()
	}
	if *emu {
		ec := emulator.Config{AllowedOrigins: allowed}
		if emulated {
			ec.Relay = *relayPath // the relay signs in as the emulator's demo client
		}
		api = http.StripPrefix(emulatorMount, emulator.New(ec))
	}
	if *useRelay {
		relayCfg.AllowedOrigins = allowed
		relayCfg.Path = *relayPath
		srv.Configure(&relayCfg) // metrics and logs
		if emulated {
			relayCfg.TokenEndpoint = emulatorTokenEndpoint(ln.Addr())
			if relayCfg.RevocationEndpoint == "" {
				relayCfg.RevocationEndpoint = emulatorRevocationEndpoint(ln.Addr())
			}
		}
		rl, err = relay.New(relayCfg)
		if err != nil {
			fmt.Fprintln(flag.CommandLine.Output(), "-relay:", err)
			os.Exit(2)
		}
		store := "in this process"
		if relayCfg.Store != nil {
			store = "in Redis (" + relay.EnvRedisURL + ")"
		}
		srv.Logger().Info("relay", "client_id", relayCfg.ClientID, "token_endpoint", relayCfg.TokenEndpoint, "path", *relayPath, "store", store)
	}

	// SIGTERM or SIGINT: drain, then shut down gracefully (relayserver.Run).
	// A second signal ends the process at once, as by default.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, func() { signal.Reset(os.Interrupt, syscall.SIGTERM) })
	srv.Logger().Info("serving", "url", "http://"+ln.Addr().String()+"/", "dir", *dir)
	var ping func(context.Context) error
	if rl != nil {
		ping = func(ctx context.Context) error { return loaded.Ping(ctx, 2*time.Second) }
	}
	if err := srv.Run(ctx, ln, handler(files, api, rl, page.json()), rl, ping); err != nil {
		srv.Logger().Error(err.Error())
		os.Exit(1)
	}
}

// origins are the page origins that may call the emulator cross-origin:
// the address as given, and its 127.0.0.1 / localhost twin on the bound port.
func origins(addr string, bound net.Addr) []string {
	out := []string{"http://" + addr}
	if bound == nil { // -check-config: nothing is bound
		bound = &net.TCPAddr{}
		if a, err := net.ResolveTCPAddr("tcp", addr); err == nil {
			bound = a
		}
	}
	if _, port, err := net.SplitHostPort(bound.String()); err == nil {
		out = append(out, "http://127.0.0.1:"+port, "http://localhost:"+port)
	}
	return out
}

// gotoEnvSet reports whether any of the relay's GOTO_ variables is set.
func gotoEnvSet(getenv func(string) string) bool {
	return getenv(relay.EnvClientID) != "" || getenv(relay.EnvClientSecret) != "" || getenv(relay.EnvTokenEndpoint) != ""
}

// emulatorEnv is getenv with the emulator's confidential demo client in
// place of GOTO_CLIENT_ID and GOTO_CLIENT_SECRET, the client the demo page
// signs in with, so that the page and the relay agree on one client id; the
// token endpoint is set once the address is bound (emulatorTokenEndpoint).
func emulatorEnv(getenv func(string) string) func(string) string {
	return func(name string) string {
		switch name {
		case relay.EnvClientID:
			return emulator.DemoClientID
		case relay.EnvClientSecret:
			return emulator.DemoClientSecret
		}
		return getenv(name)
	}
}

// emulatorTokenEndpoint is the emulator's token endpoint on this server, on
// a loopback address when the server listens on every address (http is
// allowed only on loopback).
func emulatorTokenEndpoint(bound net.Addr) string {
	host, port, _ := net.SplitHostPort(bound.String())
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip.Is6() {
			host = "::1"
		}
	}
	return "http://" + net.JoinHostPort(host, port) + emulatorMount + emulatorTokenPath
}

// emulatorRevocationEndpoint is the emulator's revocation endpoint beside
// emulatorTokenEndpoint: a relay for the emulator revokes at sign-out.
func emulatorRevocationEndpoint(bound net.Addr) string {
	return strings.TrimSuffix(emulatorTokenEndpoint(bound), "/token") + "/revoke"
}

// checkRelayPath checks -relay-path: a folder such as /auth/relay/ (the
// relay checks its characters), not the root, where the assets are, and
// not the emulator's /goto/.
func checkRelayPath(p string) error {
	switch {
	case !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/"):
		return fmt.Errorf("%q must start and end with /, such as /auth/relay/", p)
	case p == "/":
		return errors.New("the relay cannot take / here, where the assets are served; name a folder such as /auth/relay/")
	case strings.HasPrefix(p, "/goto/"):
		return fmt.Errorf("%q is inside the emulator's /goto/", p)
	}
	return nil
}

// originList is the -allow-origin flag: each use adds one origin, checked
// and written as a browser writes the Origin header.
type originList []string

func (l *originList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, " ")
}

func (l *originList) Set(v string) error {
	o, err := oauthhttp.ParseOrigin(v)
	if err != nil {
		return err
	}
	*l = append(*l, o)
	return nil
}

// configPath is the one generated file serve.go answers besides the assets.
const configPath = "/serve-config.json"

// emulatorMount is where -emulator mounts the emulator, and the emulator's
// endpoints under it (web/emulator's routes).
const (
	emulatorMount         = "/goto"
	emulatorAuthorizePath = "/oauth/authorize"
	emulatorTokenPath     = "/oauth/token"
	emulatorMePath        = "/identity/v1/Users/me"
)

// pageConfig is configPath's answer: how a page served here signs in. The
// demo reads it before anything else and needs nothing else to preset its
// form: it holds no path of the emulator's.
type pageConfig struct {
	// Relay is the token relay's folder (-relay-path) with -relay, else "".
	Relay string `json:"relay"`
	// ClientID is the relay's GoTo client id with -relay, else the
	// emulator's demo client with -emulator, else "". Never the secret.
	ClientID string `json:"clientId"`
	// Emulator is set when the page signs in at the emulator under /goto/:
	// with -emulator, unless the relay's client comes from GOTO_ variables
	// (a relay for GoTo's client does not talk to the emulator).
	Emulator bool `json:"emulator"`
	// With Emulator, the emulator's endpoints, as paths on this server
	// (the page makes them URLs with its own origin); absent otherwise,
	// for the library's defaults, GoTo's.
	AuthorizeEndpoint string `json:"authorizeEndpoint,omitempty"`
	TokenEndpoint     string `json:"tokenEndpoint,omitempty"`
	MeEndpoint        string `json:"meEndpoint,omitempty"`
}

// withEmulator points the page at the emulator: its endpoints, and, when
// no relay names the client, the emulator's demo client.
func (c *pageConfig) withEmulator() {
	if c.ClientID == "" {
		c.ClientID = emulator.DemoClientID
	}
	c.AuthorizeEndpoint = emulatorMount + emulatorAuthorizePath
	c.TokenEndpoint = emulatorMount + emulatorTokenPath
	c.MeEndpoint = emulatorMount + emulatorMePath
}

func (c pageConfig) json() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // strings and a bool always marshal
	}
	return b
}

// handler sends the emulator and the relay their prefixes, configPath its
// generated JSON, healthPath the relay's health, and everything else to the
// static files. It does not use http.ServeMux, whose path cleaning would
// turn traversal attempts into redirects instead of refusals.
func handler(files, api http.Handler, rl *relay.Relay, config []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		if api != nil && strings.HasPrefix(r.URL.Path, emulatorMount+"/") {
			api.ServeHTTP(w, r)
			return
		}
		if rl != nil && strings.HasPrefix(r.URL.Path, rl.Path()) {
			rl.ServeHTTP(w, r) // the relay takes the path with its prefix
			return
		}
		if r.URL.Path == healthPath {
			serveHealth(w, r, rl)
			return
		}
		w.Header().Set("Content-Security-Policy", csp)
		if r.URL.Path == configPath {
			serveConfig(w, r, config)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// healthPath answers load balancers.
const healthPath = "/healthz"

// serveHealth answers healthPath: 200 "ok" when the relay's store can be
// reached (or there is no relay), else 503 with Retry-After, and why in the
// body, bounded in time.
func serveHealth(w http.ResponseWriter, r *http.Request, rl *relay.Relay) {
	if !readOnly(w, r) {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	if rl != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := rl.Ready(ctx); err != nil {
			h.Set("Retry-After", "2")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "the relay's store cannot be reached")
			return
		}
	}
	fmt.Fprintln(w, "ok")
}

// serveConfig answers configPath with config.
func serveConfig(w http.ResponseWriter, r *http.Request, config []byte) {
	if !readOnly(w, r) {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Length", strconv.Itoa(len(config)))
	if r.Method == http.MethodGet {
		w.Write(config)
	}
}

// static serves the assets under root.
type static struct{ root *os.Root }

func (s *static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !readOnly(w, r) {
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

// readOnly refuses every method but GET and HEAD with 405, and reports
// whether the request may go on.
func readOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	textError(w, http.StatusMethodNotAllowed)
	return false
}

func textError(w http.ResponseWriter, status int) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	fmt.Fprintln(w, http.StatusText(status))
}
