package emulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestDeny(t *testing.T) {
	v := newEnv(t, Config{})
	loc := v.decide(v.consent("/goto/oauth/authorize", codeQuery(BackendClientID)), "deny")
	u, _ := url.Parse(loc)
	if u.Query().Get("error") != "access_denied" || u.Query().Get("state") != "st-1" ||
		u.Query().Get("error_description") == "" || u.Query().Has("code") || u.Fragment != "" {
		t.Fatalf("Location %q", loc)
	}
	q := url.Values{"response_type": {"token"}, "client_id": {PublicClientID}, "redirect_uri": {redirect}, "state": {"s"}}
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
		{"two client ids", "response_type=code&client_id=gotoauth-public&client_id=gotoauth-public&redirect_uri=" + url.QueryEscape(redirect), true, "", ""},
		{"missing redirect", "response_type=code&client_id=gotoauth-public", true, "", ""},
		{"https redirect", "response_type=code&client_id=gotoauth-public&redirect_uri=https://127.0.0.1/cb", true, "", ""},
		{"foreign host", "response_type=code&client_id=gotoauth-public&redirect_uri=http://evil.example/cb", true, "", ""},
		{"loopback lookalike", "response_type=code&client_id=gotoauth-public&redirect_uri=http://127.0.0.1.evil.example/cb", true, "", ""},
		{"userinfo", "response_type=code&client_id=gotoauth-public&redirect_uri=" + url.QueryEscape("http://evil@127.0.0.1/cb"), true, "", ""},
		{"fragment", "response_type=code&client_id=gotoauth-public&redirect_uri=" + url.QueryEscape("http://127.0.0.1/cb#x"), true, "", ""},
		{"bad port", "response_type=code&client_id=gotoauth-public&redirect_uri=" + url.QueryEscape("http://127.0.0.1:99999/cb"), true, "", ""},
		{"unregistered", "response_type=code&client_id=registered&redirect_uri=" + url.QueryEscape("https://app.example/other"), true, "", ""},
		{"two redirects", "response_type=code&client_id=gotoauth-public&redirect_uri=" + url.QueryEscape(redirect) + "&redirect_uri=" + url.QueryEscape(redirect), true, "", ""},
		{"unsupported response type", codeQuery(PublicClientID, append(pkce, "response_type", "id_token")...).Encode(), false, "query", "unsupported_response_type"},
		{"missing response type", "client_id=gotoauth-public&state=st-1&redirect_uri=" + url.QueryEscape(redirect), false, "query", "invalid_request"},
		{"malformed scope", codeQuery(PublicClientID, append(pkce, "scope", "a  b")...).Encode(), false, "query", "invalid_scope"},
		{"quote in scope", codeQuery(PublicClientID, append(pkce, "scope", `a"b`)...).Encode(), false, "query", "invalid_scope"},
		{"malformed scope implicit", codeQuery(PublicClientID, "response_type", "token", "scope", " a").Encode(), false, "fragment", "invalid_scope"},
		{"bad challenge method", codeQuery(PublicClientID, "code_challenge", challengeOf(verifier), "code_challenge_method", "S512").Encode(), false, "query", "invalid_request"},
		{"public client without PKCE", codeQuery(PublicClientID).Encode(), false, "query", "invalid_request"},
		{"method without challenge", codeQuery(BackendClientID, "code_challenge_method", "S256").Encode(), false, "query", "invalid_request"},
		{"short challenge", codeQuery(PublicClientID, "code_challenge", "abc").Encode(), false, "query", "invalid_request"},
		{"repeated state", codeQuery(PublicClientID, pkce...).Encode() + "&state=again", false, "query", "invalid_request"},
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
					// An icon of its own, which its CSP allows, so that no
					// browser asks for /favicon.ico against that CSP.
					if !strings.Contains(rec.Body.String(), `<link rel="icon" href="data:,">`) ||
						!strings.Contains(rec.Header().Get("Content-Security-Policy"), "; img-src data:;") {
						t.Fatalf("error page icon: CSP %q", rec.Header().Get("Content-Security-Policy"))
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
