package relay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gotoauth/wasm/client"
	"gotoauth/wasm/relayapi"
	"gotoauth/web/relay/store"
)

// The relay's test fixture: a fake GoTo token endpoint on httptest, a relay
// in front of it with a fake clock and a captured log, and a transcript of
// every answer the relay gave, which each test's cleanup scans for the
// client secret and for every refresh token the fake GoTo issued.

const (
	clientID = "relay-client"
	// secret holds '+', '/' and '=', which GoTo's Basic form sends as they
	// are and RFC 6749 §2.3.1's would encode.
	secret   = "s3cr+t/with=padding=="
	origin   = "http://127.0.0.1:8080"
	redirect = "http://127.0.0.1:8080/"
	verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 appendix B
)

var testKey = bytes.Repeat([]byte{7}, KeySize)

// testSignIn is the sign-in id of the cookies tests seal by hand.
var testSignIn = signIn{1, 2, 3}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// syncBuffer is a log destination that goroutines share.
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

// fakeGoTo is a token endpoint that behaves like GoTo's: Basic auth in
// GoTo's form, single-use codes, refresh answers without a refresh_token
// unless rotate is set, and a rotated token dead afterwards. handle, when
// set, replaces it.
type fakeGoTo struct {
	t    *testing.T
	srv  *httptest.Server
	hits atomic.Int64

	mu       sync.Mutex
	live     map[string]bool // refresh tokens GoTo accepts
	issued   []string        // every refresh token ever issued
	codes    map[string]bool // unused codes
	rotate   bool
	n        int
	auth     []string     // Authorization headers seen
	forms    []url.Values // bodies seen
	handle   func(w http.ResponseWriter, r *http.Request, form url.Values)
	before   func() // runs before each answer, outside mu
	released chan struct{}
}

func (g *fakeGoTo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.hits.Add(1)
	b, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(b))
	g.mu.Lock()
	g.auth = append(g.auth, r.Header.Get("Authorization"))
	g.forms = append(g.forms, form)
	handle, before := g.handle, g.before
	g.mu.Unlock()
	if before != nil {
		before()
	}
	if handle != nil {
		handle(w, r, form)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != client.BasicAuth(clientID, secret) {
		w.WriteHeader(401)
		io.WriteString(w, `{"error":"invalid_client","error_description":"Client authentication failed."}`)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	switch form.Get("grant_type") {
	case "authorization_code":
		if !g.codes[form.Get("code")] {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_grant","error_description":"The authorization code is invalid."}`)
			return
		}
		delete(g.codes, form.Get("code"))
		rt := g.newRefresh()
		fmt.Fprintf(w, `{"access_token":"at-%d","token_type":"Bearer","refresh_token":%q,"expires_in":3600,"scope":"identity:scim.me","principal":"mister.jones@fakemail.com","x_extra":{"kept":[1,2.5,true,null]}}`, g.n, rt)
	case "refresh_token":
		rt := form.Get("refresh_token")
		if strings.HasPrefix(rt, "jive-") {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_request","error_description":"unsupported.jwt"}`)
			return
		}
		if !g.live[rt] {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_grant","error_description":"The refresh token is invalid or expired."}`)
			return
		}
		g.n++
		if g.rotate {
			delete(g.live, rt)
			fmt.Fprintf(w, `{"access_token":"at-%d","token_type":"Bearer","refresh_token":%q,"expires_in":3600,"scope":"identity:scim.me","principal":"mister.jones@fakemail.com"}`, g.n, g.newRefresh())
			return
		}
		fmt.Fprintf(w, `{"access_token":"at-%d","token_type":"Bearer","expires_in":3600,"scope":"identity:scim.me","principal":"mister.jones@fakemail.com"}`, g.n)
	default:
		w.WriteHeader(400)
		io.WriteString(w, `{"error":"unsupported_grant_type"}`)
	}
}

// newRefresh issues a refresh token. Callers hold g.mu.
func (g *fakeGoTo) newRefresh() string {
	g.n++
	rt := fmt.Sprintf("rt-%d-%s", g.n, strings.Repeat("x", 40))
	g.live[rt] = true
	g.issued = append(g.issued, rt)
	return rt
}

func (g *fakeGoTo) addCode(code string) {
	g.mu.Lock()
	g.codes[code] = true
	g.mu.Unlock()
}

func (g *fakeGoTo) set(f func(g *fakeGoTo)) {
	g.mu.Lock()
	f(g)
	g.mu.Unlock()
}

func (g *fakeGoTo) lastForm() url.Values {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.forms[len(g.forms)-1]
}

type env struct {
	t    *testing.T
	rl   *Relay
	h    http.Handler
	up   *fakeGoTo
	clk  *clock
	logs *syncBuffer

	mu         sync.Mutex
	transcript bytes.Buffer // every answer, headers and body
}

// newEnv builds the fixture; edit, if not nil, adjusts the Config.
func newEnv(t *testing.T, edit func(*Config)) *env {
	t.Helper()
	up := &fakeGoTo{t: t, live: map[string]bool{}, codes: map[string]bool{}, released: make(chan struct{})}
	up.srv = httptest.NewServer(up)
	clk := &clock{t: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}
	logs := &syncBuffer{}
	cfg := Config{
		ClientID:       clientID,
		ClientSecret:   secret,
		TokenEndpoint:  up.srv.URL + "/oauth/token",
		CookieKey:      testKey,
		AllowedOrigins: []string{origin, "http://localhost:8080", "https://app.example"},
		Logger:         log.New(logs, "", 0),
		Now:            clk.Now,
		HTTPClient:     up.srv.Client(),
	}
	if edit != nil {
		edit(&cfg)
	}
	rl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	v := &env{t: t, rl: rl, h: http.StripPrefix("/relay", rl), up: up, clk: clk, logs: logs}
	t.Cleanup(func() {
		close(up.released)
		up.srv.Close()
		v.checkNoLeaks()
	})
	return v
}

// checkNoLeaks scans every answer and the log for the secret (as is and in
// the Basic header) and for every refresh token the fake GoTo issued.
func (v *env) checkNoLeaks() {
	v.t.Helper()
	v.mu.Lock()
	all := v.transcript.String() + "\n" + v.logs.String()
	v.mu.Unlock()
	needles := []string{secret, url.QueryEscape(secret), client.BasicAuth(clientID, secret)}
	v.up.mu.Lock()
	needles = append(needles, v.up.issued...)
	v.up.mu.Unlock()
	for _, n := range needles {
		if strings.Contains(all, n) {
			v.t.Errorf("an answer or the log holds %q", n)
		}
	}
}

type req struct {
	method, path, body string
	contentType        string
	header             http.Header // added to, or replacing, the defaults
	cookie             string      // the refresh cookie's value
	noDefaults         bool        // no Origin, no X-GoToAuth
	host               string
	on                 http.Handler // another relay instance than v.h
}

// do sends r through the relay and records the answer.
func (v *env) do(r req) *httptest.ResponseRecorder {
	v.t.Helper()
	if r.method == "" {
		r.method = http.MethodPost
	}
	hr := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
	if r.host != "" {
		hr.Host = r.host
	} else {
		hr.Host = "127.0.0.1:8080"
	}
	if r.contentType != "" {
		hr.Header.Set("Content-Type", r.contentType)
	} else if r.body != "" {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if !r.noDefaults {
		hr.Header.Set("Origin", origin)
		hr.Header.Set(relayapi.Header, "1")
	}
	for k, vs := range r.header {
		hr.Header[http.CanonicalHeaderKey(k)] = vs
	}
	if r.cookie != "" {
		hr.AddCookie(&http.Cookie{Name: CookieName, Value: r.cookie})
	}
	rec := httptest.NewRecorder()
	h := v.h
	if r.on != nil {
		h = r.on
	}
	h.ServeHTTP(rec, hr)
	v.mu.Lock()
	fmt.Fprintf(&v.transcript, "%d\n", rec.Code)
	rec.Header().Write(&v.transcript)
	v.transcript.Write(rec.Body.Bytes())
	v.transcript.WriteString("\n")
	v.mu.Unlock()
	return rec
}

var codes atomic.Int64

// exchange redeems a fresh code and returns the answer.
func (v *env) exchange() *httptest.ResponseRecorder {
	v.t.Helper()
	code := fmt.Sprintf("code-%d", codes.Add(1))
	v.up.addCode(code)
	return v.do(req{path: "/relay/token", body: url.Values{
		"code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier},
	}.Encode()})
}

// signIn exchanges a code and returns the refresh cookie's value.
func (v *env) signIn() string {
	v.t.Helper()
	rec := v.exchange()
	if rec.Code != 200 {
		v.t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	c := gotCookie(v.t, rec)
	if c == nil || c.Value == "" {
		v.t.Fatalf("token set no cookie: %v", rec.Header())
	}
	return c.Value
}

func (v *env) refresh(cookie string) *httptest.ResponseRecorder {
	v.t.Helper()
	return v.do(req{path: "/relay/refresh", cookie: cookie})
}

// gotCookie returns the answer's refresh Set-Cookie, nil if none; more than
// one is an error.
func gotCookie(t *testing.T, rec *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	raw := rec.Header().Values("Set-Cookie")
	switch len(raw) {
	case 0:
		return nil
	case 1:
	default:
		t.Fatalf("%d Set-Cookie headers: %q", len(raw), raw)
	}
	c, err := http.ParseSetCookie(raw[0])
	if err != nil || c.Name != CookieName {
		t.Fatalf("Set-Cookie %q: %v", raw[0], err)
	}
	return c
}

// decode reads a JSON object answer.
func decode(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	return m
}

// wantError checks an RFC 6749 §5.2 answer.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) map[string]any {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	m := decode(t, rec)
	if m["error"] != code {
		t.Fatalf("error %v, want %s: %s", m["error"], code, rec.Body)
	}
	if d, ok := m["error_description"].(string); ok && d == "" {
		t.Errorf("empty error_description")
	}
	return m
}

// wantCleared checks that the answer clears the refresh cookie with the
// attributes it is set with.
func wantCleared(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	raw := rec.Header().Get("Set-Cookie")
	c := gotCookie(t, rec)
	if c == nil || c.Value != "" || c.MaxAge != -1 || !strings.Contains(raw, "Max-Age=0") ||
		c.Path != Path || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie not cleared: %q", raw)
	}
}

// signInOf opens a cookie and returns its sign-in id.
func (v *env) signInOf(cookie string) signIn {
	v.t.Helper()
	s, _, err := v.rl.seal.open(cookie, v.clk.Now())
	if err != nil {
		v.t.Fatalf("the cookie does not open: %v", err)
	}
	return s.signIn
}

// memory is the relay's default store.
func (v *env) memory() *store.Memory { return v.rl.store.(*store.Memory) }
