package relay

import (
	"crypto/tls"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"gotoauth/wasm/client"
	"gotoauth/wasm/limits"
	"gotoauth/wasm/relayapi"
)

func TestTokenExchange(t *testing.T) {
	v := newEnv(t, nil)
	v.up.addCode("the-code")
	rec := v.do(req{path: "/relay/token", body: url.Values{
		"code": {"the-code"}, "redirect_uri": {redirect}, "code_verifier": {verifier},
		"client_id": {"ignored"}, "grant_type": {"ignored"},
	}.Encode()})
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	m := decode(t, rec)
	if _, ok := m["refresh_token"]; ok {
		t.Fatalf("the page got the refresh token: %s", rec.Body)
	}
	// Everything else is as GoTo sent it.
	want := `{"access_token":"at-1","expires_in":3600,"principal":"mister.jones@fakemail.com","scope":"identity:scim.me","token_type":"Bearer","x_extra":{"kept":[1,2.5,true,null]}}`
	if rec.Body.String() != want {
		t.Errorf("body\n got %s\nwant %s", rec.Body, want)
	}
	if rec.Header().Get("Pragma") != "no-cache" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", rec.Header())
	}

	// What GoTo was sent: the three parameters, GoTo's Basic form.
	got := v.up.lastForm()
	wantForm := url.Values{"grant_type": {"authorization_code"}, "code": {"the-code"}, "redirect_uri": {redirect}, "code_verifier": {verifier}}
	if got.Encode() != wantForm.Encode() {
		t.Errorf("GoTo got %v", got)
	}
	v.up.mu.Lock()
	auth := v.up.auth[0]
	v.up.mu.Unlock()
	if auth != client.BasicAuth(clientID, secret) {
		t.Errorf("Authorization %q", auth)
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Basic "))
	if string(raw) != clientID+":"+secret {
		t.Errorf("Basic decodes to %q: the secret must be sent as it is, '+', '/' and '=' included", raw)
	}

	// The cookie: sealed refresh token, HttpOnly, SameSite=Strict, the
	// relay's path, 30 days, not Secure over plain http to loopback.
	c := gotCookie(t, rec)
	if c == nil {
		t.Fatal("no cookie")
	}
	rawCookie := rec.Header().Get("Set-Cookie")
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/relay/" || c.Secure || c.Domain != "" ||
		c.MaxAge != int(RefreshLifetime/time.Second) || !c.Expires.Equal(v.clk.Now().Add(RefreshLifetime)) {
		t.Errorf("cookie %q", rawCookie)
	}
	s, _, err := v.rl.seal.open(c.Value, v.clk.Now())
	if err != nil || s.token != v.up.issued[0] {
		t.Fatalf("cookie opens to %+v, %v", s, err)
	}
}

// Secure follows the page's origin and nothing else: an https origin
// always gets a Secure cookie, whatever Host, TLS or X-Forwarded-Proto say
// (behind nginx's default proxying Host is 127.0.0.1:port; before, Secure
// was decided from it); only a plain-http loopback origin goes without.
func TestCookieSecure(t *testing.T) {
	origins := []string{origin, "http://localhost:8080", "http://[::1]:8080", "http://127.0.0.2",
		"https://app.example", "https://127.0.0.1:8443", "http://app.example", "http://localhost.example", "http://10.0.0.1:8080"}
	v := newEnv(t, func(c *Config) { c.AllowedOrigins = origins })
	for _, tc := range []struct {
		origin string
		secure bool
	}{
		{origin, false},
		{"http://localhost:8080", false},
		{"http://[::1]:8080", false},
		{"http://127.0.0.2", false},
		{"https://app.example", true},
		{"https://127.0.0.1:8443", true},
		{"http://app.example", true},
		{"http://localhost.example", true},
		{"http://10.0.0.1:8080", true},
	} {
		for _, host := range []string{"127.0.0.1:8080", "localhost", "app.example"} {
			for _, tlsOn := range []bool{false, true} {
				code := "code-" + tc.origin + host
				v.up.addCode(code)
				r := httptest.NewRequest("POST", "/relay/token", strings.NewReader(url.Values{"code": {code}, "redirect_uri": {redirect}}.Encode()))
				r.Host = host
				if tlsOn {
					r.TLS = &tls.ConnectionState{}
				}
				r.Header.Set("X-Forwarded-Proto", map[bool]string{true: "http", false: "https"}[tc.secure])
				r.Header.Set("X-Forwarded-Host", "127.0.0.1")
				r.Header.Set("Origin", tc.origin)
				r.Header.Set(relayapi.Header, "1")
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				rec := httptest.NewRecorder()
				v.h.ServeHTTP(rec, r)
				c := gotCookie(t, rec)
				if rec.Code != 200 || c == nil || c.Secure != tc.secure {
					t.Errorf("origin %s, Host %s, TLS %v: %d Set-Cookie %q, want Secure %v", tc.origin, host, tlsOn, rec.Code, rec.Header().Get("Set-Cookie"), tc.secure)
				}
			}
		}
	}
}

// A sign-in without a refresh token clears the cookie of an earlier one.
func TestTokenWithoutRefreshToken(t *testing.T) {
	v := newEnv(t, nil)
	old := v.signIn()
	v.up.set(func(g *fakeGoTo) {
		g.handle = func(w http.ResponseWriter, r *http.Request, form url.Values) {
			io.WriteString(w, `{"access_token":"at-x","token_type":"Bearer","expires_in":3600}`)
		}
	})
	rec := v.do(req{path: "/relay/token", body: "code=c&redirect_uri=" + url.QueryEscape(redirect), cookie: old})
	if rec.Code != 200 || rec.Body.String() != `{"access_token":"at-x","expires_in":3600,"token_type":"Bearer"}` {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	wantCleared(t, rec)
	// Without a cookie to clear, nothing is set.
	rec = v.do(req{path: "/relay/token", body: "code=c&redirect_uri=" + url.QueryEscape(redirect)})
	if rec.Code != 200 || rec.Header().Get("Set-Cookie") != "" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
}

// GoTo's OAuth errors reach the page with GoTo's status and body; answers
// that are not OAuth become 502, and silence 504. None touches the cookie.
func TestUpstreamAnswers(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		wantStatus int
		wantError  string
		wantBody   string
	}{
		{"invalid_grant", 400, `{"error":"invalid_grant","error_description":"The authorization code is invalid."}`, 400, "invalid_grant",
			`{"error":"invalid_grant","error_description":"The authorization code is invalid."}`},
		{"invalid_client", 401, `{"error":"invalid_client","error_description":"Client authentication failed."}`, 401, "invalid_client", ""},
		// Only error, error_description and error_uri reach the page: not a
		// refresh token, not debugging fields. (Before, the body was passed
		// on whole.)
		{"error with extras", 400, `{"error":"invalid_grant","error_description":"d","error_uri":"https://goto.example/e","refresh_token":"rt-leak","debug":{"stack":"x"},"trace_id":"t"}`, 400, "invalid_grant",
			`{"error":"invalid_grant","error_description":"d","error_uri":"https://goto.example/e"}`},
		{"OAuth error with a 503", 503, `{"error":"temporarily_unavailable"}`, 503, "temporarily_unavailable", `{"error":"temporarily_unavailable"}`},
		{"HTML", 502, `<html>Bad gateway</html>`, 502, "server_error", ""},
		{"not JSON on 200", 200, `access_token=x`, 502, "server_error", ""},
		{"JSON array", 200, `[1]`, 502, "server_error", ""},
		{"duplicate key", 200, `{"access_token":"a","access_token":"b","token_type":"Bearer"}`, 502, "server_error", ""},
		{"200 without a token", 200, `{"token_type":"Bearer"}`, 502, "server_error", ""},
		{"200 with an error", 200, `{"error":"invalid_grant"}`, 502, "server_error", ""},
		{"token type mac", 200, `{"access_token":"a","token_type":"mac"}`, 502, "server_error", ""},
		{"GoTo's API error shape", 429, `{"int_err_code":"TooMany","msg":"slow down"}`, 502, "server_error", ""},
		{"empty 500", 500, ``, 502, "server_error", ""},
		{"OAuth error with a 302", 302, `{"error":"invalid_grant"}`, 502, "server_error", ""},
		{"huge", 200, `{"access_token":"` + strings.Repeat("a", limits.MaxBodyBytes) + `","token_type":"Bearer"}`, 502, "server_error", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newEnv(t, nil)
			cookie := v.signIn()
			v.up.set(func(g *fakeGoTo) {
				g.handle = func(w http.ResponseWriter, r *http.Request, form url.Values) {
					w.Header().Set("Location", "http://127.0.0.1:1/elsewhere")
					w.WriteHeader(tc.status)
					io.WriteString(w, tc.body)
				}
			})
			for _, path := range []string{"/relay/token", "/relay/refresh"} {
				body := ""
				if path == "/relay/token" {
					body = "code=c&redirect_uri=" + url.QueryEscape(redirect)
				}
				rec := v.do(req{path: path, body: body, cookie: cookie})
				wantError(t, rec, tc.wantStatus, tc.wantError)
				if tc.wantBody != "" && rec.Body.String() != tc.wantBody {
					t.Errorf("%s: body %s, want %s", path, rec.Body, tc.wantBody)
				}
				if c := rec.Header().Get("Set-Cookie"); c != "" && !(path == "/relay/refresh" && tc.wantError == "invalid_grant") {
					t.Errorf("%s: cookie touched: %q", path, c)
				}
			}
			if tc.wantStatus == 502 && !strings.Contains(v.logs.String(), "relay: GoTo's token endpoint") {
				t.Errorf("no log line: %q", v.logs)
			}
		})
	}
}

func TestUpstreamTimeout(t *testing.T) {
	v := newEnv(t, func(c *Config) { c.Timeout = 150 * time.Millisecond })
	cookie := v.signIn()
	v.up.set(func(g *fakeGoTo) {
		g.handle = func(w http.ResponseWriter, r *http.Request, form url.Values) {
			// Headers come at once; the body never ends.
			w.WriteHeader(200)
			io.WriteString(w, `{"access_token":"`)
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-g.released:
			}
		}
	})
	start := time.Now()
	for _, path := range []string{"/relay/token", "/relay/refresh"} {
		body := ""
		if path == "/relay/token" {
			body = "code=c&redirect_uri=" + url.QueryEscape(redirect)
		}
		rec := v.do(req{path: path, body: body, cookie: cookie})
		wantError(t, rec, 504, "temporarily_unavailable")
		if rec.Header().Get("Set-Cookie") != "" {
			t.Errorf("%s: cookie touched", path)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestUpstreamUnreachable(t *testing.T) {
	v := newEnv(t, nil)
	cookie := v.signIn()
	v.up.srv.Close()
	rec := v.refresh(cookie)
	wantError(t, rec, 502, "server_error")
	if rec.Header().Get("Set-Cookie") != "" {
		t.Error("cookie touched")
	}
}

// GoTo's redirects are not followed: a 307 would resend the refresh token.
func TestNoRedirects(t *testing.T) {
	hits := 0
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer elsewhere.Close()
	v := newEnv(t, func(c *Config) {
		c.HTTPClient = &http.Client{} // a client that would follow redirects
	})
	cookie := v.signIn()
	v.up.set(func(g *fakeGoTo) {
		g.handle = func(w http.ResponseWriter, r *http.Request, form url.Values) {
			http.Redirect(w, r, elsewhere.URL, http.StatusTemporaryRedirect)
		}
	})
	rec := v.refresh(cookie)
	wantError(t, rec, 502, "server_error")
	if hits != 0 {
		t.Fatal("the redirect was followed")
	}
}

// A refresh token too large for a browser's cookie: the page still gets its
// access token, the cookie is cleared rather than silently dropped by the
// browser, and the log says why, without the token.
func TestRefreshTokenTooLargeForCookie(t *testing.T) {
	v := newEnv(t, nil)
	huge := "rt-huge-" + strings.Repeat("z", 3100)
	v.up.set(func(g *fakeGoTo) {
		g.issued = append(g.issued, huge) // scanned for leaks
		g.handle = func(w http.ResponseWriter, r *http.Request, form url.Values) {
			io.WriteString(w, `{"access_token":"at","token_type":"Bearer","refresh_token":"`+huge+`"}`)
		}
	})
	rec := v.do(req{path: "/relay/token", body: "code=c&redirect_uri=" + url.QueryEscape(redirect)})
	if rec.Code != 200 || rec.Body.String() != `{"access_token":"at","token_type":"Bearer"}` {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	wantCleared(t, rec)
	if !strings.Contains(v.logs.String(), "too large to keep in a cookie") {
		t.Errorf("log %q", v.logs)
	}
	// A token that fits is kept: the bound is the browser's, not lower.
	fits := "rt-fits-" + strings.Repeat("z", 2900)
	v.up.set(func(g *fakeGoTo) {
		g.issued = append(g.issued, fits)
		g.handle = func(w http.ResponseWriter, r *http.Request, form url.Values) {
			io.WriteString(w, `{"access_token":"at","token_type":"Bearer","refresh_token":"`+fits+`"}`)
		}
	})
	rec = v.do(req{path: "/relay/token", body: "code=c&redirect_uri=" + url.QueryEscape(redirect)})
	if c := gotCookie(t, rec); c == nil || len(c.Value)+len(CookieName)+1 > maxCookieBytes {
		t.Fatalf("%v", rec.Header())
	}
}
