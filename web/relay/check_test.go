package relay

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"gotoauth/wasm/relayapi"
)

// Every refusal is an OAuth error with the right status, and none reaches
// GoTo: the fake GoTo counts its hits. Each request carries a valid cookie
// and, for /token, a valid form, so that only the check under test fails.
func TestChecksRefuseBeforeGoTo(t *testing.T) {
	v := newEnv(t, nil)
	cookie, _ := v.rl.seal.seal("rt-live", testSignIn, v.clk.Now())
	v.up.set(func(g *fakeGoTo) { g.live["rt-live"] = true })
	form := url.Values{"code": {"c"}, "redirect_uri": {redirect}, "code_verifier": {verifier}}.Encode()
	big := form + "&pad=" + strings.Repeat("a", maxBody)

	type tc struct {
		name   string
		r      req
		status int
	}
	var cases []tc
	for _, path := range []string{"/relay/token", "/relay/refresh", "/relay/signout"} {
		body := ""
		if path == "/relay/token" {
			body = form
		}
		cases = append(cases,
			tc{"GET", req{method: "GET", path: path, cookie: cookie}, 405},
			tc{"PUT", req{method: "PUT", path: path, body: body, cookie: cookie}, 405},
			tc{"no Origin", req{path: path, body: body, cookie: cookie, noDefaults: true, header: http.Header{relayapi.Header: {"1"}}}, 403},
			tc{"foreign Origin", req{path: path, body: body, cookie: cookie, header: http.Header{"Origin": {"https://evil.example"}}}, 403},
			tc{"Origin null", req{path: path, body: body, cookie: cookie, header: http.Header{"Origin": {"null"}}}, 403},
			tc{"Origin with a path", req{path: path, body: body, cookie: cookie, header: http.Header{"Origin": {origin + "/"}}}, 403},
			tc{"two Origins", req{path: path, body: body, cookie: cookie, header: http.Header{"Origin": {origin, origin}}}, 403},
			tc{"no X-GoToAuth", req{path: path, body: body, cookie: cookie, noDefaults: true, header: http.Header{"Origin": {origin}}}, 403},
			tc{"X-GoToAuth: 0", req{path: path, body: body, cookie: cookie, header: http.Header{relayapi.Header: {"0"}}}, 403},
			tc{"two X-GoToAuth", req{path: path, body: body, cookie: cookie, header: http.Header{relayapi.Header: {"1", "1"}}}, 403},
			tc{"body over 64 KiB", req{path: path, body: big, cookie: cookie}, 413},
			tc{"preflight from a foreign origin", req{method: "OPTIONS", path: path, noDefaults: true, header: http.Header{
				"Origin": {"https://evil.example"}, "Access-Control-Request-Method": {"POST"}}}, 403},
			tc{"preflight for PUT", req{method: "OPTIONS", path: path, noDefaults: true, header: http.Header{
				"Origin": {origin}, "Access-Control-Request-Method": {"PUT"}}}, 405},
		)
	}
	cases = append(cases,
		tc{"unknown path", req{path: "/relay/authorize", cookie: cookie}, 404},
		tc{"root", req{path: "/relay/", cookie: cookie}, 404},
		tc{"token: form as JSON", req{path: "/relay/token", body: `{"code":"c"}`, contentType: "application/json"}, 400},
		tc{"token: no code", req{path: "/relay/token", body: "redirect_uri=" + url.QueryEscape(redirect)}, 400},
		tc{"token: no redirect_uri", req{path: "/relay/token", body: "code=c"}, 400},
		tc{"token: redirect_uri with a fragment", req{path: "/relay/token", body: "code=c&redirect_uri=" + url.QueryEscape(redirect+"#x")}, 400},
		tc{"token: relative redirect_uri", req{path: "/relay/token", body: "code=c&redirect_uri=%2Fcb"}, 400},
		tc{"token: short verifier", req{path: "/relay/token", body: "code=c&redirect_uri=" + url.QueryEscape(redirect) + "&code_verifier=abc"}, 400},
		tc{"token: verifier with a space", req{path: "/relay/token", body: "code=c&redirect_uri=" + url.QueryEscape(redirect) + "&code_verifier=" + strings.Repeat("a", 42) + "+"}, 400},
		tc{"token: repeated code", req{path: "/relay/token", body: form + "&code=d"}, 400},
		tc{"token: malformed body", req{path: "/relay/token", body: "code=%zz"}, 400},
		tc{"token: code with a newline", req{path: "/relay/token", body: "code=a%0Ab&redirect_uri=" + url.QueryEscape(redirect)}, 400},
	)
	for _, c := range cases {
		rec := v.do(c.r)
		t.Run(c.name+" "+c.r.path, func(t *testing.T) {
			wantError(t, rec, c.status, "invalid_request")
			if c.status == 405 && rec.Header().Get("Allow") != "POST" {
				t.Errorf("Allow %q", rec.Header().Get("Allow"))
			}
			if rec.Header().Get("Set-Cookie") != "" {
				t.Errorf("a refusal touched the cookie: %q", rec.Header().Get("Set-Cookie"))
			}
		})
	}
	if n := v.up.hits.Load(); n != 0 {
		t.Fatalf("refused requests reached GoTo %d times", n)
	}
	// The same cookie, checked properly, does reach GoTo.
	if rec := v.refresh(cookie); rec.Code != 200 || v.up.hits.Load() != 1 {
		t.Fatalf("the control refresh: %d %s, %d hits", rec.Code, rec.Body, v.up.hits.Load())
	}
}

// A body over 64 KiB without a Content-Length is cut at the limit.
func TestChunkedBodyTooLarge(t *testing.T) {
	v := newEnv(t, nil)
	r := httptest.NewRequest("POST", "/relay/token", strings.NewReader(strings.Repeat("a", maxBody+1)))
	r.ContentLength = -1
	r.Header.Set("Origin", origin)
	r.Header.Set(relayapi.Header, "1")
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	v.h.ServeHTTP(rec, r)
	wantError(t, rec, 413, "invalid_request")
	if v.up.hits.Load() != 0 {
		t.Fatal("reached GoTo")
	}
}

func TestCORS(t *testing.T) {
	v := newEnv(t, nil)
	for _, o := range []string{origin, "https://app.example"} {
		rec := v.do(req{method: "OPTIONS", path: "/relay/refresh", noDefaults: true, header: http.Header{
			"Origin": {o}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"x-gotoauth"}}})
		h := rec.Header()
		if rec.Code != 204 || h.Get("Access-Control-Allow-Origin") != o || h.Get("Access-Control-Allow-Credentials") != "true" ||
			h.Get("Access-Control-Allow-Methods") != "POST" || !strings.Contains(h.Get("Access-Control-Allow-Headers"), relayapi.Header) ||
			h.Get("Vary") != "Origin" {
			t.Errorf("preflight from %s: %d %v", o, rec.Code, h)
		}
	}
	// An allowed origin can read refusals too; a foreign one gets no CORS
	// headers at all.
	rec := v.do(req{path: "/relay/refresh", noDefaults: true, header: http.Header{"Origin": {"https://app.example"}}})
	if rec.Code != 403 || rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("refusal for an allowed origin: %d %v", rec.Code, rec.Header())
	}
	rec = v.do(req{path: "/relay/refresh", header: http.Header{"Origin": {"https://evil.example"}}})
	if rec.Header().Get("Access-Control-Allow-Origin") != "" || rec.Header().Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("foreign origin got CORS headers: %v", rec.Header())
	}
	if v.up.hits.Load() != 0 {
		t.Fatal("reached GoTo")
	}
}
