package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
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
	return v.code(codeQuery(DemoClientID, "code_challenge", challengeOf(verifier), "code_challenge_method", "S256"))
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
		"client_id": {DemoClientID}, "code_verifier": {verifier}}
}

func (v *env) meStatus(access string) int {
	v.t.Helper()
	return v.do(req{path: "/goto/identity/v1/Users/me", header: http.Header{"Authorization": {"Bearer " + access}}}).Code
}

func TestCodeFlowPublicPKCE(t *testing.T) {
	v := newEnv(t, Config{})
	q := codeQuery(DemoClientID, "scope", "identity:scim.me users.v1.lines.read",
		"code_challenge", challengeOf(verifier), "code_challenge_method", "S256")
	rec := v.do(req{path: "/goto/oauth/authorize?" + q.Encode()})
	if rec.Code != 200 {
		t.Fatalf("status %d %s", rec.Code, rec.Body)
	}
	h := rec.Header()
	wantHeaders := map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http://127.0.0.1:9999; frame-ancestors 'none'; base-uri 'none'",
	}
	for k, want := range wantHeaders {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	body := rec.Body.String()
	for _, s := range []string{`id="allow"`, `id="deny"`, `name="decision" value="allow"`, `name="decision" value="deny"`,
		`method="post"`, `action="authorize/decision"`, DemoClientID, "identity:scim.me", "users.v1.lines.read"} {
		if !strings.Contains(body, s) {
			t.Errorf("consent page lacks %q", s)
		}
	}
	id := requestIDRe.FindStringSubmatch(body)[1]
	loc := v.decide(id, "allow")
	u, _ := url.Parse(loc)
	code := u.Query().Get("code")
	if u.Query().Get("state") != "st-1" || code == "" {
		t.Fatalf("Location %q", loc)
	}

	rec = v.token("/goto/oauth/token", publicExchange(code))
	if rec.Code != 200 {
		t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Pragma") != "no-cache" {
		t.Errorf("cache headers %v", rec.Header())
	}
	m := decode(t, rec)
	if m["token_type"] != "Bearer" || m["expires_in"] != 3600.0 || m["principal"] != "mister.jones@fakemail.com" ||
		m["scope"] != "identity:scim.me users.v1.lines.read" || m["access_token"] == "" || m["refresh_token"] == "" {
		t.Fatalf("token response %s", rec.Body)
	}
	if len(m) != 6 {
		t.Errorf("unexpected keys: %s", rec.Body)
	}
	if s := v.meStatus(m["access_token"].(string)); s != 200 {
		t.Errorf("/me %d", s)
	}
}

func TestCodeFlowConfidentialBasic(t *testing.T) {
	v := newEnv(t, Config{})
	code := v.code(codeQuery(BackendClientID))
	rec := v.token("/goto/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}},
		BackendClientID, BackendClientSecret)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	m := decode(t, rec)
	if m["scope"] != DefaultScope || m["refresh_token"] == nil {
		t.Fatalf("%s", rec.Body)
	}

	// A registered (non-loopback) redirect URI and a secret with '+' and '=',
	// sent raw in Basic as GoTo's guides do; redirect_uri omitted at both
	// steps because only one is registered.
	q := url.Values{"response_type": {"code"}, "client_id": {"registered"}}
	loc := v.decide(v.consent("/goto/oauth/authorize", q), "allow")
	if !strings.HasPrefix(loc, "https://app.example/cb?code=") {
		t.Fatalf("Location %q", loc)
	}
	u, _ := url.Parse(loc)
	rec = v.token("/goto/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {u.Query().Get("code")}},
		"registered", "s3cr+t==")
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

func TestPlainPKCE(t *testing.T) {
	v := newEnv(t, Config{})
	plain := strings.Repeat("a", 43)
	code := v.code(codeQuery(DemoClientID, "code_challenge", plain))
	f := publicExchange(code)
	f.Set("code_verifier", plain)
	if rec := v.token("/goto/oauth/token", f); rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

func TestImplicitFlows(t *testing.T) {
	v := newEnv(t, Config{})
	q := url.Values{"response_type": {"token"}, "client_id": {DemoClientID}, "redirect_uri": {redirect},
		"scope": {"identity:scim.me users.v1.read"}, "state": {"a b&c"}}

	loc := v.decide(v.consent("/goto/oauth/authorize", q), "allow")
	re := regexp.MustCompile(`^` + regexp.QuoteMeta(redirect) +
		`#access_token=([A-Za-z0-9_-]{43})&token_type=Bearer&expires_in=3600&principal=mister\.jones@fakemail\.com&scope=identity:scim\.me%20users\.v1\.read&state=a%20b%26c$`)
	m := re.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("today's implicit Location %q", loc)
	}
	if s := v.meStatus(m[1]); s != 200 {
		t.Errorf("/me with implicit token: %d", s)
	}

	rec := v.do(req{path: "/goto/oauth2/v2/grant?" + q.Encode()})
	if !strings.Contains(rec.Body.String(), `action="../../oauth/authorize/decision"`) {
		t.Fatalf("legacy consent form action: %s", rec.Body)
	}
	loc = v.decide(v.consent("/goto/oauth2/v2/grant", q), "allow")
	re = regexp.MustCompile(`^` + regexp.QuoteMeta(redirect) +
		`#access_token=(jive-[A-Za-z0-9_-]{43})&type=bearer&expires_in=3600000&username=mister\.jones@fakemail\.com&state=a%20b%26c$`)
	m = re.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("legacy implicit Location %q", loc)
	}
	if s := v.meStatus(m[1]); s != 200 {
		t.Errorf("/me with legacy implicit token: %d", s)
	}

	// Without state none is echoed.
	q.Del("state")
	loc = v.decide(v.consent("/goto/oauth/authorize", q), "allow")
	if strings.Contains(loc, "state=") {
		t.Errorf("state echoed although none was sent: %q", loc)
	}
}

func TestDeny(t *testing.T) {
	v := newEnv(t, Config{})
	loc := v.decide(v.consent("/goto/oauth/authorize", codeQuery(BackendClientID)), "deny")
	u, _ := url.Parse(loc)
	if u.Query().Get("error") != "access_denied" || u.Query().Get("state") != "st-1" ||
		u.Query().Get("error_description") == "" || u.Query().Has("code") || u.Fragment != "" {
		t.Fatalf("Location %q", loc)
	}
	q := url.Values{"response_type": {"token"}, "client_id": {DemoClientID}, "redirect_uri": {redirect}, "state": {"s"}}
	loc = v.decide(v.consent("/goto/oauth/authorize", q), "deny")
	u, _ = url.Parse(loc)
	f, _ := url.ParseQuery(u.Fragment)
	if u.RawQuery != "" || f.Get("error") != "access_denied" || f.Get("state") != "s" || f.Has("access_token") {
		t.Fatalf("Location %q", loc)
	}
}

func TestAuthorizeErrors(t *testing.T) {
	pkce := []string{"code_challenge", challengeOf(verifier), "code_challenge_method", "S256"}
	tests := []struct {
		name  string
		query string // raw query
		page  bool   // error page, no redirect
		where string // "query" or "fragment" for redirected errors
		code  string
	}{
		{"unknown client", "response_type=code&client_id=nope&redirect_uri=" + url.QueryEscape(redirect), true, "", ""},
		{"no client", "response_type=code&redirect_uri=" + url.QueryEscape(redirect), true, "", ""},
		{"two client ids", "response_type=code&client_id=gotoauth-demo&client_id=gotoauth-demo&redirect_uri=" + url.QueryEscape(redirect), true, "", ""},
		{"missing redirect", "response_type=code&client_id=gotoauth-demo", true, "", ""},
		{"https redirect", "response_type=code&client_id=gotoauth-demo&redirect_uri=https://127.0.0.1/cb", true, "", ""},
		{"foreign host", "response_type=code&client_id=gotoauth-demo&redirect_uri=http://evil.example/cb", true, "", ""},
		{"loopback lookalike", "response_type=code&client_id=gotoauth-demo&redirect_uri=http://127.0.0.1.evil.example/cb", true, "", ""},
		{"userinfo", "response_type=code&client_id=gotoauth-demo&redirect_uri=" + url.QueryEscape("http://evil@127.0.0.1/cb"), true, "", ""},
		{"fragment", "response_type=code&client_id=gotoauth-demo&redirect_uri=" + url.QueryEscape("http://127.0.0.1/cb#x"), true, "", ""},
		{"bad port", "response_type=code&client_id=gotoauth-demo&redirect_uri=" + url.QueryEscape("http://127.0.0.1:99999/cb"), true, "", ""},
		{"unregistered", "response_type=code&client_id=registered&redirect_uri=" + url.QueryEscape("https://app.example/other"), true, "", ""},
		{"two redirects", "response_type=code&client_id=gotoauth-demo&redirect_uri=" + url.QueryEscape(redirect) + "&redirect_uri=" + url.QueryEscape(redirect), true, "", ""},
		{"unsupported response type", codeQuery(DemoClientID, append(pkce, "response_type", "id_token")...).Encode(), false, "query", "unsupported_response_type"},
		{"missing response type", "client_id=gotoauth-demo&state=st-1&redirect_uri=" + url.QueryEscape(redirect), false, "query", "invalid_request"},
		{"malformed scope", codeQuery(DemoClientID, append(pkce, "scope", "a  b")...).Encode(), false, "query", "invalid_scope"},
		{"quote in scope", codeQuery(DemoClientID, append(pkce, "scope", `a"b`)...).Encode(), false, "query", "invalid_scope"},
		{"malformed scope implicit", codeQuery(DemoClientID, "response_type", "token", "scope", " a").Encode(), false, "fragment", "invalid_scope"},
		{"bad challenge method", codeQuery(DemoClientID, "code_challenge", challengeOf(verifier), "code_challenge_method", "S512").Encode(), false, "query", "invalid_request"},
		{"public client without PKCE", codeQuery(DemoClientID).Encode(), false, "query", "invalid_request"},
		{"method without challenge", codeQuery(BackendClientID, "code_challenge_method", "S256").Encode(), false, "query", "invalid_request"},
		{"short challenge", codeQuery(DemoClientID, "code_challenge", "abc").Encode(), false, "query", "invalid_request"},
		{"repeated state", codeQuery(DemoClientID, pkce...).Encode() + "&state=again", false, "query", "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, Config{})
			for _, path := range []string{"/goto/oauth/authorize", "/goto/oauth2/v2/grant"} {
				rec := v.do(req{path: path + "?" + tc.query})
				loc := rec.Header().Get("Location")
				if tc.page {
					if rec.Code != 400 || loc != "" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
						t.Fatalf("%s: status %d, Location %q", path, rec.Code, loc)
					}
					if strings.Contains(rec.Body.String(), "request_id") {
						t.Fatalf("error page shows a form")
					}
					continue
				}
				if rec.Code != http.StatusFound {
					t.Fatalf("%s: status %d, body %s", path, rec.Code, rec.Body)
				}
				u, err := url.Parse(loc)
				if err != nil {
					t.Fatal(err)
				}
				raw := u.RawQuery
				if tc.where == "fragment" {
					raw = u.Fragment
					if u.RawQuery != "" {
						t.Errorf("query on implicit error: %q", loc)
					}
				} else if u.Fragment != "" {
					t.Errorf("fragment on code error: %q", loc)
				}
				p, _ := url.ParseQuery(raw)
				if p.Get("error") != tc.code || p.Get("error_description") == "" || p.Get("state") != "st-1" {
					t.Fatalf("%s: Location %q, want error %s", path, loc, tc.code)
				}
			}
		})
	}
}

func TestDecisionRequestID(t *testing.T) {
	v := newEnv(t, Config{})
	id := v.consent("/goto/oauth/authorize", codeQuery(BackendClientID))
	v.decide(id, "allow")
	post := func(id, decision string) *httptest.ResponseRecorder {
		return v.do(req{method: http.MethodPost, path: "/goto/oauth/authorize/decision",
			body: url.Values{"request_id": {id}, "decision": {decision}}.Encode()})
	}
	if rec := post(id, "allow"); rec.Code != 400 || rec.Header().Get("Location") != "" {
		t.Errorf("reused request id: %d", rec.Code)
	}
	if rec := post("forged", "allow"); rec.Code != 400 {
		t.Errorf("forged request id: %d", rec.Code)
	}
	id = v.consent("/goto/oauth/authorize", codeQuery(BackendClientID))
	if rec := post(id, "maybe"); rec.Code != 400 {
		t.Errorf("bad decision: %d", rec.Code)
	}
	v.clk.advance(11 * time.Minute)
	if rec := post(id, "allow"); rec.Code != 400 {
		t.Errorf("expired request id: %d", rec.Code)
	}
	if rec := v.do(req{path: "/goto/oauth/authorize/decision"}); rec.Code != 405 || rec.Header().Get("Allow") != "POST" {
		t.Errorf("GET decision: %d %v", rec.Code, rec.Header())
	}
	if rec := v.do(req{method: http.MethodPost, path: "/goto/oauth/authorize/decision", body: "{}", contentType: "application/json"}); rec.Code != 400 {
		t.Errorf("JSON decision: %d", rec.Code)
	}
}

func TestTokenErrors(t *testing.T) {
	type setup func(v *env) (form url.Values, basic []string)
	public := func(mod func(url.Values)) setup {
		return func(v *env) (url.Values, []string) {
			f := publicExchange(v.publicCode())
			if mod != nil {
				mod(f)
			}
			return f, nil
		}
	}
	confidential := func(withPKCE bool, mod func(url.Values), basic ...string) setup {
		return func(v *env) (url.Values, []string) {
			q := codeQuery(BackendClientID)
			if withPKCE {
				q.Set("code_challenge", challengeOf(verifier))
				q.Set("code_challenge_method", "S256")
			}
			f := url.Values{"grant_type": {"authorization_code"}, "code": {v.code(q)}, "redirect_uri": {redirect}}
			if mod != nil {
				mod(f)
			}
			if basic == nil {
				basic = []string{BackendClientID, BackendClientSecret}
			}
			return f, basic
		}
	}
	set := func(k, val string) func(url.Values) { return func(f url.Values) { f.Set(k, val) } }
	del := func(k string) func(url.Values) { return func(f url.Values) { f.Del(k) } }

	tests := []struct {
		name   string
		setup  setup
		status int
		code   string
	}{
		{"wrong redirect_uri", public(set("redirect_uri", "http://127.0.0.1:9999/other")), 400, "invalid_grant"},
		{"missing redirect_uri", public(del("redirect_uri")), 400, "invalid_grant"},
		{"wrong verifier", public(set("code_verifier", strings.Repeat("x", 43))), 400, "invalid_grant"},
		{"missing verifier", public(del("code_verifier")), 400, "invalid_grant"},
		{"malformed verifier", public(set("code_verifier", "short")), 400, "invalid_request"},
		{"unknown code", public(set("code", "nope")), 400, "invalid_grant"},
		{"missing code", public(del("code")), 400, "invalid_request"},
		{"verifier without challenge", confidential(false, set("code_verifier", verifier)), 400, "invalid_grant"},
		{"confidential PKCE missing verifier", confidential(true, nil), 400, "invalid_grant"},
		{"code of another client", func(v *env) (url.Values, []string) {
			f := publicExchange(v.publicCode())
			f.Del("client_id")
			return f, []string{BackendClientID, BackendClientSecret}
		}, 400, "invalid_grant"},
		{"bad secret", confidential(false, nil, BackendClientID, "wrong"), 401, "invalid_client"},
		{"unknown client basic", confidential(false, nil, "nobody", "x"), 401, "invalid_client"},
		{"confidential without basic", func(v *env) (url.Values, []string) {
			f, _ := confidential(false, set("client_id", BackendClientID))(v)
			return f, nil
		}, 401, "invalid_client"},
		{"confidential secret in body", func(v *env) (url.Values, []string) {
			f, _ := confidential(false, func(f url.Values) {
				f.Set("client_id", BackendClientID)
				f.Set("client_secret", BackendClientSecret)
			})(v)
			return f, nil
		}, 401, "invalid_client"},
		{"public client with basic", func(v *env) (url.Values, []string) {
			f, _ := public(nil)(v)
			return f, []string{DemoClientID, ""}
		}, 401, "invalid_client"},
		{"body client_id disagrees with basic", confidential(false, set("client_id", DemoClientID)), 401, "invalid_client"},
		{"public client unknown id", public(set("client_id", "nobody")), 401, "invalid_client"},
		{"public client without id", public(del("client_id")), 401, "invalid_client"},
		{"password grant", func(v *env) (url.Values, []string) {
			return url.Values{"grant_type": {"password"}, "username": {"u"}, "password": {"p"}}, []string{BackendClientID, BackendClientSecret}
		}, 400, "unsupported_grant_type"},
		{"unknown grant", func(v *env) (url.Values, []string) {
			return url.Values{"grant_type": {"client_credentials"}}, []string{BackendClientID, BackendClientSecret}
		}, 400, "unsupported_grant_type"},
		{"missing grant", func(v *env) (url.Values, []string) {
			return url.Values{"client_id": {DemoClientID}}, nil
		}, 400, "invalid_request"},
		{"expired code", func(v *env) (url.Values, []string) {
			f := publicExchange(v.publicCode())
			v.clk.advance(3 * time.Minute)
			return f, nil
		}, 400, "invalid_grant"},
		{"unknown refresh token", func(v *env) (url.Values, []string) {
			return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}, "client_id": {DemoClientID}}, nil
		}, 400, "invalid_grant"},
		{"missing refresh token", func(v *env) (url.Values, []string) {
			return url.Values{"grant_type": {"refresh_token"}, "client_id": {DemoClientID}}, nil
		}, 400, "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, Config{})
			form, basic := tc.setup(v)
			for _, path := range []string{"/goto/oauth/token", "/goto/oauth2/v2/token"} {
				rec := v.token(path, form, basic...)
				wantOAuthError(t, rec, tc.status, tc.code)
				if tc.status == 401 {
					if got := rec.Header().Get("WWW-Authenticate"); got != `Basic realm="emulator"` {
						t.Errorf("WWW-Authenticate %q", got)
					}
					if got := rec.Body.String(); got != `{"error":"invalid_client","error_description":"Client authentication failed."}` {
						t.Errorf("body %s", got)
					}
				}
				if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Pragma") != "no-cache" {
					t.Errorf("cache headers %v", rec.Header())
				}
			}
		})
	}
}

func TestFailedExchangeBurnsCode(t *testing.T) {
	v := newEnv(t, Config{})
	code := v.publicCode()
	f := publicExchange(code)
	f.Set("code_verifier", strings.Repeat("x", 43))
	wantOAuthError(t, v.token("/goto/oauth/token", f), 400, "invalid_grant")
	wantOAuthError(t, v.token("/goto/oauth/token", publicExchange(code)), 400, "invalid_grant")
}

func TestCodeReuseRevokesTokens(t *testing.T) {
	v := newEnv(t, Config{})
	code := v.publicCode()
	rec := v.token("/goto/oauth/token", publicExchange(code))
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	m := decode(t, rec)
	at, rt := m["access_token"].(string), m["refresh_token"].(string)
	// Refresh once, so a descendant access token exists too.
	rec = v.token("/goto/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {DemoClientID}})
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	at2 := decode(t, rec)["access_token"].(string)
	if v.meStatus(at) != 200 || v.meStatus(at2) != 200 {
		t.Fatal("tokens not valid before replay")
	}
	// Unrelated grant survives the revocation.
	other := decode(t, v.token("/goto/oauth/token", publicExchange(v.publicCode())))["access_token"].(string)

	wantOAuthError(t, v.token("/goto/oauth/token", publicExchange(code)), 400, "invalid_grant")
	if v.meStatus(at) != 401 || v.meStatus(at2) != 401 {
		t.Error("access tokens survived code replay")
	}
	if v.meStatus(other) != 200 {
		t.Error("unrelated token revoked")
	}
	wantOAuthError(t, v.token("/goto/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {DemoClientID}}),
		400, "invalid_grant")
}

func TestRefresh(t *testing.T) {
	v := newEnv(t, Config{})
	rec := v.token("/goto/oauth/token", publicExchange(v.code(codeQuery(DemoClientID,
		"scope", "identity:scim.me users.v1.read", "code_challenge", challengeOf(verifier), "code_challenge_method", "S256"))))
	rt := decode(t, rec)["refresh_token"].(string)
	refresh := func(rt string, extra ...string) *httptest.ResponseRecorder {
		f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {DemoClientID}}
		for i := 0; i+1 < len(extra); i += 2 {
			f.Set(extra[i], extra[i+1])
		}
		return v.token("/goto/oauth/token", f)
	}

	// Young refresh token: no refresh_token in the response, old one stays.
	for i := 0; i < 2; i++ {
		rec = refresh(rt)
		if rec.Code != 200 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		m := decode(t, rec)
		if _, ok := m["refresh_token"]; ok {
			t.Fatalf("refresh_token returned without rotation: %s", rec.Body)
		}
		if m["token_type"] != "Bearer" || m["expires_in"] != 3600.0 || m["scope"] != "identity:scim.me users.v1.read" ||
			m["principal"] != "mister.jones@fakemail.com" {
			t.Fatalf("%s", rec.Body)
		}
	}

	// Down-scoping is allowed, widening is not.
	if m := decode(t, refresh(rt, "scope", "users.v1.read")); m["scope"] != "users.v1.read" {
		t.Errorf("narrowed scope %v", m["scope"])
	}
	wantOAuthError(t, refresh(rt, "scope", "calls.v2.initiate"), 400, "invalid_scope")

	// Another client cannot use it.
	rec = v.token("/goto/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}},
		BackendClientID, BackendClientSecret)
	wantOAuthError(t, rec, 400, "invalid_grant")

	// Aged: the next refresh rotates.
	ctl := v.do(req{method: http.MethodPost, path: "/goto/_emulator/age-refresh-token", body: url.Values{"refresh_token": {rt}}.Encode()})
	if ctl.Code != 204 {
		t.Fatalf("age: %d %s", ctl.Code, ctl.Body)
	}
	rec = refresh(rt)
	newRT, _ := decode(t, rec)["refresh_token"].(string)
	if rec.Code != 200 || newRT == "" || newRT == rt {
		t.Fatalf("no rotation: %s", rec.Body)
	}
	wantOAuthError(t, refresh(rt), 400, "invalid_grant")
	rec = refresh(newRT)
	if _, ok := decode(t, rec)["refresh_token"]; rec.Code != 200 || ok {
		t.Fatalf("new refresh token: %s", rec.Body)
	}

	// Natural ageing: after 29 days and a bit, rotation; after 30, expiry.
	v.clk.advance(29*24*time.Hour + time.Hour)
	rec = refresh(newRT)
	rotated, _ := decode(t, rec)["refresh_token"].(string)
	if rotated == "" {
		t.Fatalf("no rotation near expiry: %s", rec.Body)
	}
	v.clk.advance(31 * 24 * time.Hour)
	wantOAuthError(t, refresh(rotated), 400, "invalid_grant")
}

func TestLegacyJiveTokens(t *testing.T) {
	v := newEnv(t, Config{})
	q := codeQuery(DemoClientID, "code_challenge", challengeOf(verifier), "code_challenge_method", "S256")
	loc := v.decide(v.consent("/goto/oauth2/v2/grant", q), "allow")
	u, _ := url.Parse(loc)
	rec := v.token("/goto/oauth2/v2/token", publicExchange(u.Query().Get("code")))
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	m := decode(t, rec)
	rt, _ := m["refresh_token"].(string)
	if m["token_type"] != "bearer" || m["expires_in"] != 3600000.0 || m["username"] != "mister.jones@fakemail.com" ||
		!strings.HasPrefix(rt, "jive-") || len(m) != 5 {
		t.Fatalf("legacy token response %s", rec.Body)
	}
	if v.meStatus(m["access_token"].(string)) != 200 {
		t.Error("legacy access token not accepted by /me")
	}

	// Seed 001: a GoToConnect refresh token at today's endpoint.
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {DemoClientID}}
	rec = v.token("/goto/oauth/token", f)
	if rec.Code != 400 || rec.Body.String() != `{"error":"invalid_request","error_description":"unsupported.jwt"}` {
		t.Fatalf("unsupported.jwt: %d %s", rec.Code, rec.Body)
	}
	rec = v.token("/goto/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"jive-unknown"}},
		BackendClientID, BackendClientSecret)
	if rec.Code != 400 || rec.Body.String() != `{"error":"invalid_request","error_description":"unsupported.jwt"}` {
		t.Fatalf("unsupported.jwt (unknown): %d %s", rec.Code, rec.Body)
	}

	// The legacy endpoint always answers with a refresh token.
	rec = v.token("/goto/oauth2/v2/token", f)
	m = decode(t, rec)
	if rec.Code != 200 || m["refresh_token"] != rt || m["token_type"] != "bearer" {
		t.Fatalf("legacy refresh: %s", rec.Body)
	}
}

func TestMe(t *testing.T) {
	v := newEnv(t, Config{})
	at := decode(t, v.token("/goto/oauth/token", publicExchange(v.publicCode())))["access_token"].(string)
	const invalid = `{"int_err_code":"InvalidToken","msg":"Invalid token passed"}`

	rec := v.do(req{path: "/goto/identity/v1/Users/me", header: http.Header{"Authorization": {"Bearer " + at}}})
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	want := `{"schemas":["urn:scim:schemas:core:1.0","urn:scim:schemas:extension:getgo:1.0"],` +
		`"id":"8439885694023999999","userName":"mister.jones@fakemail.com","displayName":"Moon Beam",` +
		`"name":{"givenName":"Moon","familyName":"Beam"},"locale":"en_US","timezone":"America/New_York",` +
		`"meta":{"created":"2018-04-01T12:00:00.000Z","location":"https://api.getgo.com/identity/v1/Users/8439885694023999999"},` +
		`"urn:scim:schemas:extension:getgo:1.0":{"accounts":[{"value":"9999982253621659654","display":"Beam Corp","entitlements":["acctadmin","gotoconnect"]}]}}`
	if rec.Body.String() != want {
		t.Errorf("/me body\n got %s\nwant %s", rec.Body, want)
	}

	tests := []struct {
		name string
		auth []string
	}{
		{"no header", nil},
		{"unknown token", []string{"Bearer nope"}},
		{"basic scheme", []string{"Basic " + at}},
		{"empty bearer", []string{"Bearer "}},
		{"refresh token as access", []string{"Bearer " + decode(t, v.token("/goto/oauth/token", publicExchange(v.publicCode())))["refresh_token"].(string)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := req{path: "/goto/identity/v1/Users/me"}
			if tc.auth != nil {
				r.header = http.Header{"Authorization": tc.auth}
			}
			rec := v.do(r)
			if rec.Code != 401 || rec.Body.String() != invalid {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
	if rec := v.do(req{method: http.MethodPost, path: "/goto/identity/v1/Users/me", body: "x=1"}); rec.Code != 405 {
		t.Errorf("POST /me: %d", rec.Code)
	}

	// Expiry by the clock.
	v.clk.advance(time.Hour)
	if v.meStatus(at) != 401 {
		t.Error("expired access token accepted")
	}
	// Expiry by the control endpoint.
	at = decode(t, v.token("/goto/oauth/token", publicExchange(v.publicCode())))["access_token"].(string)
	ctl := v.do(req{method: http.MethodPost, path: "/goto/_emulator/expire-access-token", body: url.Values{"access_token": {at}}.Encode()})
	if ctl.Code != 204 {
		t.Fatalf("expire: %d", ctl.Code)
	}
	if v.meStatus(at) != 401 {
		t.Error("expired (control) access token accepted")
	}
}

func TestControlEndpoints(t *testing.T) {
	v := newEnv(t, Config{})
	for _, tc := range []struct{ path, key string }{
		{"/goto/_emulator/age-refresh-token", "refresh_token"},
		{"/goto/_emulator/expire-access-token", "access_token"},
	} {
		if rec := v.do(req{method: http.MethodPost, path: tc.path, body: url.Values{tc.key: {"unknown"}}.Encode()}); rec.Code != 404 {
			t.Errorf("%s unknown: %d", tc.path, rec.Code)
		}
		if rec := v.do(req{path: tc.path}); rec.Code != 405 || rec.Header().Get("Allow") == "" {
			t.Errorf("%s GET: %d", tc.path, rec.Code)
		}
	}
	if rec := v.do(req{path: "/goto/nothing"}); rec.Code != 404 {
		t.Errorf("unknown path: %d", rec.Code)
	}
}

func TestCORS(t *testing.T) {
	paths := []string{"/goto/oauth/token", "/goto/oauth2/v2/token", "/goto/identity/v1/Users/me",
		"/goto/_emulator/age-refresh-token", "/goto/_emulator/expire-access-token"}
	tests := []struct {
		name    string
		cfg     Config
		origin  string
		allowed bool
	}{
		{"loopback default", Config{}, "http://127.0.0.1:8080", true},
		{"localhost default", Config{}, "http://localhost:5173", true},
		{"ipv6 default", Config{}, "http://[::1]:8080", true},
		{"foreign default", Config{}, "https://evil.example", false},
		{"https loopback default", Config{}, "https://127.0.0.1:8080", false},
		{"null origin", Config{}, "null", false},
		{"listed", Config{AllowedOrigins: []string{"http://127.0.0.1:8080"}}, "http://127.0.0.1:8080", true},
		{"unlisted loopback", Config{AllowedOrigins: []string{"http://127.0.0.1:8080"}}, "http://127.0.0.1:9090", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, tc.cfg)
			for _, p := range paths {
				hdr := http.Header{"Origin": {tc.origin}}
				// Simple request.
				rec := v.do(req{method: http.MethodPost, path: p, body: "grant_type=password", header: hdr})
				acao := rec.Header().Get("Access-Control-Allow-Origin")
				if tc.allowed && acao != tc.origin || !tc.allowed && acao != "" {
					t.Errorf("%s: ACAO %q", p, acao)
				}
				if rec.Header().Get("Vary") != "Origin" {
					t.Errorf("%s: Vary %q", p, rec.Header().Get("Vary"))
				}
				// Preflight.
				pre := http.Header{"Origin": {tc.origin}, "Access-Control-Request-Method": {"POST"},
					"Access-Control-Request-Headers": {"authorization,content-type"}}
				rec = v.do(req{method: http.MethodOptions, path: p, header: pre})
				if rec.Code != 204 {
					t.Errorf("%s preflight: %d", p, rec.Code)
				}
				h := rec.Header()
				if tc.allowed {
					if h.Get("Access-Control-Allow-Origin") != tc.origin || h.Get("Access-Control-Allow-Methods") != "GET, POST" ||
						h.Get("Access-Control-Allow-Headers") != "Authorization, Content-Type" || h.Get("Access-Control-Max-Age") != "600" {
						t.Errorf("%s preflight headers %v", p, h)
					}
				} else {
					for k := range h {
						if strings.HasPrefix(k, "Access-Control-") {
							t.Errorf("%s: foreign origin got %s", p, k)
						}
					}
				}
			}
		})
	}
	// No CORS on the authorize pages, which are navigations.
	v := newEnv(t, Config{})
	rec := v.do(req{path: "/goto/oauth/authorize?" + codeQuery(BackendClientID).Encode(), header: http.Header{"Origin": {"http://127.0.0.1:8080"}}})
	if rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS on authorize")
	}
}

func TestConsentEscaping(t *testing.T) {
	v := newEnv(t, Config{})
	q := url.Values{
		"response_type":  {"code"},
		"client_id":      {hostile},
		"scope":          {`<img/src=x/onerror=alert(1)> </li><script>alert(2)</script>`},
		"state":          {`"><script>alert(3)</script>`},
		"code_challenge": {challengeOf(verifier)},
	}
	rec := v.do(req{path: "/goto/oauth/authorize?" + q.Encode()})
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	body := rec.Body.String()
	for _, bad := range []string{"<script", "<img", `"><`, "onerror=alert(1)>"} {
		if strings.Contains(body, bad) {
			t.Errorf("consent page contains unescaped %q:\n%s", bad, body)
		}
	}
	for _, good := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "&lt;img/src=x/onerror=alert(1)&gt;"} {
		if !strings.Contains(body, good) {
			t.Errorf("consent page lacks escaped %q:\n%s", good, body)
		}
	}
	// The hostile state travels back intact.
	id := requestIDRe.FindStringSubmatch(body)[1]
	u, _ := url.Parse(v.decide(id, "allow"))
	if u.Query().Get("state") != q.Get("state") || u.Query().Get("x") != `"><img src=x onerror=alert(1)>` {
		t.Errorf("redirect %q", u)
	}
	// The error page escapes too (it only shows fixed text, but check).
	rec = v.do(req{path: "/goto/oauth/authorize?client_id=" + url.QueryEscape(hostile+"2")})
	if rec.Code != 400 || strings.Contains(rec.Body.String(), "<script") {
		t.Errorf("error page: %d %s", rec.Code, rec.Body)
	}
}

func TestBodyLimitsAndDuplicates(t *testing.T) {
	v := newEnv(t, Config{})
	big := "grant_type=refresh_token&client_id=gotoauth-demo&refresh_token=" + strings.Repeat("a", 70<<10)
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
	rec := v.do(req{method: http.MethodPost, path: "/goto/oauth/token", body: "grant_type=password&client_id=gotoauth-demo",
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
			q := codeQuery(DemoClientID, "code_challenge", challengeOf(verifier), "code_challenge_method", "S256")
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

func TestLoopbackURI(t *testing.T) {
	tests := []struct {
		s    string
		path bool
		ok   bool
	}{
		{"http://127.0.0.1/cb", true, true},
		{"http://127.0.0.1:8080/a/b?c=d", true, true},
		{"http://localhost:1/", true, true},
		{"http://[::1]:8080/cb", true, true},
		{"http://[::1]/cb", true, true},
		{"http://::1/cb", true, false},
		{"http://127.0.0.1:0/cb", true, false},
		{"http://127.0.0.1:08080/cb", true, false},
		{"http://127.0.0.1:/cb", true, false},
		{"HTTP://127.0.0.1/cb", true, false},
		{"http://127.0.0.2/cb", true, false},
		{"http://LOCALHOST/cb", true, false},
		{"http:127.0.0.1", true, false},
		{"//127.0.0.1/cb", true, false},
		{"http://127.0.0.1:8080", false, true},
		{"http://127.0.0.1:8080/", false, false},
	}
	for _, tc := range tests {
		if got := isLoopbackURI(tc.s, tc.path); got != tc.ok {
			t.Errorf("isLoopbackURI(%q, %v) = %v", tc.s, tc.path, got)
		}
	}
}

func TestInfoNamesTheDemoClient(t *testing.T) {
	srv := httptest.NewServer(New(Config{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/_emulator/info")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || !strings.Contains(string(body), `"clientId":"gotoauth-demo"`) {
		t.Fatalf("info: %d %q", resp.StatusCode, body)
	}
	resp, err = http.Post(srv.URL+"/_emulator/info", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST info: %d", resp.StatusCode)
	}
}
