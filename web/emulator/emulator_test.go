package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	redirect = "http://127.0.0.1:9999/callback"
	verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 appendix B
	hostile  = `<script>alert("x")</script>`
)

func challengeOf(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

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

type env struct {
	t   *testing.T
	e   *Emulator
	h   http.Handler
	clk *clock
}

func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	clk := &clock{t: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)}
	cfg.Now = clk.Now
	if cfg.Clients == nil {
		cfg.Clients = append(DefaultClients(),
			Client{ID: "registered", Secret: "s3cr+t==", RedirectURIs: []string{"https://app.example/cb"}},
			Client{ID: hostile, RedirectURIs: []string{`http://127.0.0.1/cb?x="><img src=x onerror=alert(1)>`}},
		)
	}
	e := New(cfg)
	return &env{t: t, e: e, h: http.StripPrefix("/goto", e), clk: clk}
}

type req struct {
	method, path string
	body         string
	contentType  string
	header       http.Header
	basic        []string // id, secret
}

func (v *env) do(r req) *httptest.ResponseRecorder {
	v.t.Helper()
	if r.method == "" {
		r.method = http.MethodGet
	}
	var hr *http.Request
	if r.body != "" || r.method == http.MethodPost {
		hr = httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
		ct := r.contentType
		if ct == "" {
			ct = "application/x-www-form-urlencoded"
		}
		hr.Header.Set("Content-Type", ct)
	} else {
		hr = httptest.NewRequest(r.method, r.path, nil)
	}
	for k, vs := range r.header {
		hr.Header[k] = vs
	}
	if r.basic != nil {
		hr.SetBasicAuth(r.basic[0], r.basic[1])
	}
	rec := httptest.NewRecorder()
	v.h.ServeHTTP(rec, hr)
	return rec
}

var requestIDRe = regexp.MustCompile(`name="request_id" value="([^"]+)"`)

// consent requests the consent page and returns its request id.
func (v *env) consent(path string, q url.Values) string {
	v.t.Helper()
	rec := v.do(req{path: path + "?" + q.Encode()})
	if rec.Code != http.StatusOK {
		v.t.Fatalf("authorize %v: status %d, Location %q, body %s", q, rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	m := requestIDRe.FindStringSubmatch(rec.Body.String())
	if m == nil {
		v.t.Fatalf("no request id in consent page:\n%s", rec.Body)
	}
	return m[1]
}

// decide posts the consent decision and returns the Location.
func (v *env) decide(id, decision string) string {
	v.t.Helper()
	rec := v.do(req{method: http.MethodPost, path: "/goto/oauth/authorize/decision",
		body: url.Values{"request_id": {id}, "decision": {decision}}.Encode()})
	if rec.Code != http.StatusSeeOther {
		v.t.Fatalf("decision: status %d, body %s", rec.Code, rec.Body)
	}
	return rec.Header().Get("Location")
}

func codeQuery(client string, extra ...string) url.Values {
	q := url.Values{"response_type": {"code"}, "client_id": {client}, "redirect_uri": {redirect}, "state": {"st-1"}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q
}

// code runs the authorize + allow steps and returns the code.
func (v *env) code(q url.Values) string {
	v.t.Helper()
	loc := v.decide(v.consent("/goto/oauth/authorize", q), "allow")
	u, err := url.Parse(loc)
	if err != nil {
		v.t.Fatal(err)
	}
	if !strings.HasPrefix(loc, redirect+"?") {
		v.t.Fatalf("Location %q", loc)
	}
	if got := u.Query().Get("state"); got != q.Get("state") {
		v.t.Fatalf("state %q, want %q", got, q.Get("state"))
	}
	c := u.Query().Get("code")
	if len(c) < 22 {
		v.t.Fatalf("code %q too short", c)
	}
	return c
}

func (v *env) publicCode() string {
	return v.code(codeQuery(PublicClientID, "code_challenge", challengeOf(verifier), "code_challenge_method", "S256"))
}

func (v *env) token(path string, form url.Values, basic ...string) *httptest.ResponseRecorder {
	v.t.Helper()
	r := req{method: http.MethodPost, path: path, body: form.Encode()}
	if len(basic) == 2 {
		r.basic = basic
	}
	return v.do(r)
}

func decode(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	return m
}

func wantOAuthError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	m := decode(t, rec)
	if m["error"] != code {
		t.Fatalf("error %v, want %s; body %s", m["error"], code, rec.Body)
	}
	if d, _ := m["error_description"].(string); d == "" {
		t.Errorf("empty error_description: %s", rec.Body)
	}
}

func publicExchange(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect},
		"client_id": {PublicClientID}, "code_verifier": {verifier}}
}

func (v *env) meStatus(access string) int {
	v.t.Helper()
	return v.do(req{path: "/goto/identity/v1/Users/me", header: http.Header{"Authorization": {"Bearer " + access}}}).Code
}

func TestBodyLimitsAndDuplicates(t *testing.T) {
	v := newEnv(t, Config{})
	big := "grant_type=refresh_token&client_id=gotoauth-public&refresh_token=" + strings.Repeat("a", 70<<10)
	for _, p := range []string{"/goto/oauth/token", "/goto/oauth2/v2/token", "/goto/oauth/authorize/decision", "/goto/_emulator/age-refresh-token"} {
		rec := v.do(req{method: http.MethodPost, path: p, body: big})
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s oversized: %d", p, rec.Code)
		}
	}
	code := v.publicCode()
	dup := publicExchange(code).Encode() + "&code=" + url.QueryEscape(code)
	wantOAuthError(t, v.do(req{method: http.MethodPost, path: "/goto/oauth/token", body: dup}), 400, "invalid_request")
	dup = publicExchange(code).Encode() + "&grant_type=authorization_code"
	wantOAuthError(t, v.do(req{method: http.MethodPost, path: "/goto/oauth/token", body: dup}), 400, "invalid_request")
	// The code was not touched by the rejected requests.
	if rec := v.token("/goto/oauth/token", publicExchange(code)); rec.Code != 200 {
		t.Errorf("code after duplicates: %d %s", rec.Code, rec.Body)
	}

	for _, ct := range []string{"application/json", "text/plain", "", "multipart/form-data; boundary=x"} {
		rec := v.do(req{method: http.MethodPost, path: "/goto/oauth/token", body: "grant_type=password", contentType: ct})
		if ct == "" {
			hr := httptest.NewRequest(http.MethodPost, "/goto/oauth/token", strings.NewReader("grant_type=password"))
			rec = httptest.NewRecorder()
			v.h.ServeHTTP(rec, hr)
		}
		wantOAuthError(t, rec, 400, "invalid_request")
	}
	// A charset parameter is fine.
	rec := v.do(req{method: http.MethodPost, path: "/goto/oauth/token", body: "grant_type=password&client_id=gotoauth-public",
		contentType: "application/x-www-form-urlencoded; charset=UTF-8"})
	wantOAuthError(t, rec, 400, "unsupported_grant_type")

	rec = v.do(req{path: "/goto/oauth/token"})
	if rec.Code != 405 || !strings.Contains(rec.Header().Get("Allow"), "POST") {
		t.Errorf("GET token: %d %v", rec.Code, rec.Header())
	}
	rec = v.do(req{method: http.MethodPost, path: "/goto/oauth/authorize", body: "a=b"})
	if rec.Code != 405 || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST authorize: %d %v", rec.Code, rec.Header())
	}
}

func TestBoundedTables(t *testing.T) {
	v := newEnv(t, Config{})
	q := codeQuery(BackendClientID)
	for i := 0; i < maxPending+50; i++ {
		rec := v.do(req{path: "/goto/oauth/authorize?" + q.Encode()})
		if rec.Code != 200 {
			t.Fatal(rec.Code)
		}
	}
	v.e.mu.Lock()
	n := len(v.e.pending)
	v.e.mu.Unlock()
	if n > maxPending {
		t.Errorf("pending table grew to %d", n)
	}
	// The newest request still works.
	v.code(q)
}

func TestConcurrentFlows(t *testing.T) {
	v := newEnv(t, Config{})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := codeQuery(PublicClientID, "code_challenge", challengeOf(verifier), "code_challenge_method", "S256")
			q.Set("state", fmt.Sprint(i))
			rec := httptest.NewRecorder()
			v.h.ServeHTTP(rec, httptest.NewRequest("GET", "/goto/oauth/authorize?"+q.Encode(), nil))
			id := requestIDRe.FindStringSubmatch(rec.Body.String())[1]
			rec = httptest.NewRecorder()
			r := httptest.NewRequest("POST", "/goto/oauth/authorize/decision", strings.NewReader("decision=allow&request_id="+id))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			v.h.ServeHTTP(rec, r)
			u, _ := url.Parse(rec.Header().Get("Location"))
			rec = httptest.NewRecorder()
			r = httptest.NewRequest("POST", "/goto/oauth/token", strings.NewReader(publicExchange(u.Query().Get("code")).Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			v.h.ServeHTTP(rec, r)
			if rec.Code != 200 {
				errs <- fmt.Errorf("flow %d: %d %s", i, rec.Code, rec.Body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
