package emulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

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
		// GoTo's guides paste the secret as it is; RFC 6749 §2.3.1's
		// form-encoded secret ('+' as %2B, '=' as %3D) is refused.
		{"form-encoded secret", confidential(false, nil, BackendClientID, url.QueryEscape(BackendClientSecret)), 401, "invalid_client"},
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
			return f, []string{PublicClientID, ""}
		}, 401, "invalid_client"},
		{"body client_id disagrees with basic", confidential(false, set("client_id", PublicClientID)), 401, "invalid_client"},
		{"public client unknown id", public(set("client_id", "nobody")), 401, "invalid_client"},
		{"public client without id", public(del("client_id")), 401, "invalid_client"},
		{"password grant", func(v *env) (url.Values, []string) {
			return url.Values{"grant_type": {"password"}, "username": {"u"}, "password": {"p"}}, []string{BackendClientID, BackendClientSecret}
		}, 400, "unsupported_grant_type"},
		{"unknown grant", func(v *env) (url.Values, []string) {
			return url.Values{"grant_type": {"client_credentials"}}, []string{BackendClientID, BackendClientSecret}
		}, 400, "unsupported_grant_type"},
		{"missing grant", func(v *env) (url.Values, []string) {
			return url.Values{"client_id": {PublicClientID}}, nil
		}, 400, "invalid_request"},
		{"expired code", func(v *env) (url.Values, []string) {
			f := publicExchange(v.publicCode())
			v.clk.advance(3 * time.Minute)
			return f, nil
		}, 400, "invalid_grant"},
		{"unknown refresh token", func(v *env) (url.Values, []string) {
			return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}, "client_id": {PublicClientID}}, nil
		}, 400, "invalid_grant"},
		{"missing refresh token", func(v *env) (url.Values, []string) {
			return url.Values{"grant_type": {"refresh_token"}, "client_id": {PublicClientID}}, nil
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
	rec = v.token("/goto/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {PublicClientID}})
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
	wantOAuthError(t, v.token("/goto/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {PublicClientID}}),
		400, "invalid_grant")
}

func TestRefresh(t *testing.T) {
	v := newEnv(t, Config{})
	rec := v.token("/goto/oauth/token", publicExchange(v.code(codeQuery(PublicClientID,
		"scope", "identity:scim.me users.v1.read", "code_challenge", challengeOf(verifier), "code_challenge_method", "S256"))))
	rt := decode(t, rec)["refresh_token"].(string)
	refresh := func(rt string, extra ...string) *httptest.ResponseRecorder {
		f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {PublicClientID}}
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
	q := codeQuery(PublicClientID, "code_challenge", challengeOf(verifier), "code_challenge_method", "S256")
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

	// A GoToConnect refresh token at today's endpoint ("Migrating from
	// GoToConnect (auth.jive.com) to LogMeIn Authentication API").
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {PublicClientID}}
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

// TestDemoClientIsConfidential: the demo's client, like GoTo's clients,
// authenticates with HTTP Basic and its secret ('+', '/' and '=' sent as
// they are); naming itself with client_id alone, as a public client does,
// or sending the secret form-encoded (RFC 6749 §2.3.1) is refused.
func TestDemoClientIsConfidential(t *testing.T) {
	v := newEnv(t, Config{})
	code := v.code(codeQuery(DemoClientID, "code_challenge", challengeOf(verifier), "code_challenge_method", "S256"))
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}}
	public := url.Values{"client_id": {DemoClientID}}
	for k, vs := range f {
		public[k] = vs
	}
	wantOAuthError(t, v.token("/goto/oauth/token", public), 401, "invalid_client")
	wantOAuthError(t, v.token("/goto/oauth/token", f, DemoClientID, url.QueryEscape(DemoClientSecret)), 401, "invalid_client")
	wantOAuthError(t, v.token("/goto/oauth/token", f, DemoClientID, BackendClientSecret), 401, "invalid_client")
	// A refused authentication does not spend the code.
	rec := v.token("/goto/oauth/token", f, DemoClientID, DemoClientSecret)
	m := decode(t, rec)
	if rec.Code != 200 || m["access_token"] == nil || m["refresh_token"] == nil {
		t.Fatalf("exchange with Basic: %d %s", rec.Code, rec.Body)
	}
	if !strings.ContainsAny(DemoClientSecret, "+") || !strings.Contains(DemoClientSecret, "/") || !strings.Contains(DemoClientSecret, "=") {
		t.Errorf("DemoClientSecret %q lacks GoTo's example secret's characters", DemoClientSecret)
	}
	// The implicit flow needs no secret.
	q := url.Values{"response_type": {"token"}, "client_id": {DemoClientID}, "redirect_uri": {redirect}, "state": {"s"}}
	loc := v.decide(v.consent("/goto/oauth/authorize", q), "allow")
	if !strings.Contains(loc, "#access_token=") {
		t.Errorf("implicit flow for the demo client: Location %q", loc)
	}
}
