package oauth_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"gotoauth/pkce"
	"gotoauth/wasm/form"
	"gotoauth/wasm/oauth"
)

const (
	testClientID    = "a2094c4f-fAk0e-4339-934f-4da2d788d0aa"
	testRedirectURI = "https://example.com/callback"
)

func TestBuildAuthorizationCodeFlow(t *testing.T) {
	a, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{
		ClientID:    testClientID,
		RedirectURI: testRedirectURI,
		Scope:       []string{"identity:scim.me", "users.v1.lines.read"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.Flow != oauth.FlowCode {
		t.Errorf("Flow = %q, want code (the default)", a.Flow)
	}
	u := mustParseURL(t, a.URL)
	if got := u.Scheme + "://" + u.Host + u.Path; got != oauth.DefaultAuthorizeEndpoint {
		t.Errorf("endpoint = %q, want %q", got, oauth.DefaultAuthorizeEndpoint)
	}
	if oauth.DefaultAuthorizeEndpoint != "https://authentication.logmeininc.com/oauth/authorize" {
		t.Errorf("DefaultAuthorizeEndpoint = %q", oauth.DefaultAuthorizeEndpoint)
	}
	if u.Fragment != "" {
		t.Errorf("URL has a fragment: %q", a.URL)
	}
	q := u.Query()
	want := map[string]string{
		"response_type":         "code",
		"client_id":             testClientID,
		"redirect_uri":          testRedirectURI,
		"scope":                 "identity:scim.me users.v1.lines.read",
		"state":                 a.State,
		"code_challenge":        pkce.Challenge(a.CodeVerifier),
		"code_challenge_method": "S256",
	}
	for name, v := range want {
		if got := single(t, q, name); got != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
	if len(q) != len(want) {
		t.Errorf("URL has parameters %v, want exactly %v", q, want)
	}
	// Scopes are joined with %20 as in GoTo's examples, never '+'.
	if !strings.Contains(u.RawQuery, "scope=identity%3Ascim.me%20users.v1.lines.read") {
		t.Errorf("scope not %%20-joined in %q", u.RawQuery)
	}
	if strings.Contains(u.RawQuery, "+") {
		t.Errorf("query uses '+': %q", u.RawQuery)
	}
	if a.CodeChallenge != pkce.Challenge(a.CodeVerifier) {
		t.Errorf("CodeChallenge %q does not match the verifier", a.CodeChallenge)
	}
	if v := a.CodeVerifier; !pkce.ValidVerifier(v) {
		t.Errorf("CodeVerifier %q is not an RFC 7636 verifier", v)
	}
	checkGeneratedState(t, a.State)
}

func checkGeneratedState(t *testing.T, state string) {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(state)
	if err != nil {
		t.Fatalf("state %q is not base64url: %v", state, err)
	}
	if len(raw)*8 < 128 {
		t.Fatalf("state %q carries %d bits, want at least 128", state, len(raw)*8)
	}
}

func TestBuildAuthorizationFresh(t *testing.T) {
	states, verifiers := map[string]bool{}, map[string]bool{}
	for i := 0; i < 50; i++ {
		a, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{ClientID: testClientID})
		if err != nil {
			t.Fatal(err)
		}
		if states[a.State] || verifiers[a.CodeVerifier] {
			t.Fatalf("state or verifier repeated after %d calls", i)
		}
		states[a.State], verifiers[a.CodeVerifier] = true, true
	}
}

func TestBuildAuthorizationImplicitFlow(t *testing.T) {
	for _, flow := range []string{"implicit", "token", "IMPLICIT"} {
		t.Run(flow, func(t *testing.T) {
			a, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{
				ClientID: testClientID, RedirectURI: testRedirectURI, Flow: flow, Scope: []string{"users.v1.read"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if a.Flow != oauth.FlowImplicit {
				t.Errorf("Flow = %q", a.Flow)
			}
			if a.CodeVerifier != "" || a.CodeChallenge != "" {
				t.Errorf("implicit flow got PKCE: %+v", a)
			}
			q := mustParseURL(t, a.URL).Query()
			if got := single(t, q, "response_type"); got != "token" {
				t.Errorf("response_type = %q", got)
			}
			for _, name := range []string{"code_challenge", "code_challenge_method"} {
				if q.Has(name) {
					t.Errorf("implicit URL has %s", name)
				}
			}
			if single(t, q, "state") != a.State {
				t.Error("state mismatch")
			}
			checkGeneratedState(t, a.State)
		})
	}
}

func TestBuildAuthorizationFlowAliases(t *testing.T) {
	for _, flow := range []string{"", "code", "authorization_code", "Code"} {
		a, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{ClientID: testClientID, Flow: flow})
		if err != nil {
			t.Fatalf("flow %q: %v", flow, err)
		}
		if a.Flow != oauth.FlowCode || a.CodeVerifier == "" {
			t.Errorf("flow %q: got %+v", flow, a)
		}
	}
}

func TestBuildAuthorizationEndpoints(t *testing.T) {
	tests := []struct {
		name, endpoint string
		wantPrefix     string
		wantExtra      map[string]string // endpoint parameters kept
	}{
		{"default", "", oauth.DefaultAuthorizeEndpoint + "?", nil},
		{"custom https", "https://sso.example.com/oauth/authorize", "https://sso.example.com/oauth/authorize?", nil},
		{"custom with query", "https://sso.example.com/authorize?tenant=acme&x=1", "https://sso.example.com/authorize?tenant=acme&x=1&", map[string]string{"tenant": "acme", "x": "1"}},
		{"query ending in ?", "https://sso.example.com/authorize?", "https://sso.example.com/authorize?response_type=", nil},
		{"query ending in &", "https://sso.example.com/authorize?tenant=acme&", "https://sso.example.com/authorize?tenant=acme&response_type=", map[string]string{"tenant": "acme"}},
		{"http loopback v4", "http://127.0.0.1:8080/oauth/authorize", "http://127.0.0.1:8080/oauth/authorize?", nil},
		{"http localhost", "http://localhost:9000/oauth/authorize", "http://localhost:9000/oauth/authorize?", nil},
		{"http loopback v6", "http://[::1]:9000/oauth/authorize", "http://[::1]:9000/oauth/authorize?", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{ClientID: testClientID, Endpoint: tc.endpoint})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(a.URL, tc.wantPrefix) {
				t.Errorf("URL = %q, want prefix %q", a.URL, tc.wantPrefix)
			}
			q := mustParseURL(t, a.URL).Query()
			for k, v := range tc.wantExtra {
				if got := single(t, q, k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			single(t, q, "response_type")
			single(t, q, "client_id")
			single(t, q, "state")
		})
	}
}

func TestBuildAuthorizationBadEndpoints(t *testing.T) {
	for _, endpoint := range []string{
		"http://authentication.logmeininc.com/oauth/authorize", // http off loopback
		"http://127.0.0.1.example.com/authorize",
		"http://192.168.1.10/authorize",
		"ftp://example.com/authorize",
		"javascript:alert(1)",
		"/oauth/authorize",
		"authentication.logmeininc.com/oauth/authorize",
		"https://example.com/authorize#frag",
		"https://example.com/authorize?x=%zz",
		"https://example.com/authorize?x=1&x=2",
		"https://example.com/authorize?state=fixed",                     // endpoint may not carry a standard parameter
		"https://example.com/authorize?client_id=other",                 // same
		"https://example.com/authorize?code_challenge_method=plain",     // same
		"https://example.com/authorize?" + strings.Repeat("a", 8<<10+1), // too long
		"https://exa mple.com/authorize",
	} {
		t.Run(endpoint[:min(len(endpoint), 60)], func(t *testing.T) {
			_, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{ClientID: testClientID, Endpoint: endpoint})
			wantCode(t, err, oauth.InvalidArgument)
		})
	}
}

func TestBuildAuthorizationRedirectURI(t *testing.T) {
	good := []string{
		"https://example.com",
		"https://example.com/cb?app=1",
		"http://127.0.0.1:3000/cb",
		"http://localhost/cb",
		"com.example.app:/oauth2redirect", // RFC 8252 private-use scheme
	}
	for _, r := range good {
		a, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{ClientID: testClientID, RedirectURI: r})
		if err != nil {
			t.Errorf("%q: %v", r, err)
			continue
		}
		if got := single(t, mustParseURL(t, a.URL).Query(), "redirect_uri"); got != r {
			t.Errorf("redirect_uri = %q, want %q", got, r)
		}
	}
	bad := []string{
		"http://example.com/cb",
		"https://example.com/cb#x",
		"/cb",
		"javascript:alert(1)",
		"data:text/html,hi",
		"https://example.com/\ncb",
		"https://example.com/" + strings.Repeat("a", 8<<10),
	}
	for _, r := range bad {
		_, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{ClientID: testClientID, RedirectURI: r})
		wantCode(t, err, oauth.InvalidArgument)
	}
}

func TestBuildAuthorizationExtraParams(t *testing.T) {
	a, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{
		ClientID: testClientID,
		Extra:    form.Values{{Name: "prompt", Value: "login"}, {Name: "login_hint", Value: "jk@example.com"}, {Name: "ui locales", Value: "en de"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	q := mustParseURL(t, a.URL).Query()
	for k, v := range map[string]string{"prompt": "login", "login_hint": "jk@example.com", "ui locales": "en de"} {
		if got := single(t, q, k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	// Extras come after the standard parameters.
	if i, j := strings.Index(a.URL, "code_challenge_method="), strings.Index(a.URL, "prompt="); i < 0 || j < i {
		t.Errorf("extra parameters not appended: %q", a.URL)
	}
}

func TestBuildAuthorizationExtraRefusesStandardNames(t *testing.T) {
	for _, name := range []string{"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"} {
		t.Run(name, func(t *testing.T) {
			_, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{
				ClientID: testClientID,
				Extra:    form.Values{{Name: name, Value: "x"}},
			})
			wantCode(t, err, oauth.InvalidArgument)
		})
	}
}

// RFC 6749 §3.1: request parameters MUST NOT be included more than once.
func TestBuildAuthorizationExtraRefusesDuplicates(t *testing.T) {
	tests := []struct {
		name     string
		endpoint string
		extra    form.Values
	}{
		{"extra twice", "", form.Values{{Name: "prompt", Value: "login"}, {Name: "prompt", Value: "none"}}},
		{"extra repeats endpoint parameter", "https://sso.example.com/authorize?tenant=acme", form.Values{{Name: "tenant", Value: "evil"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{ClientID: testClientID, Endpoint: tc.endpoint, Extra: tc.extra})
			if err == nil {
				t.Fatalf("built %q, which repeats a parameter (RFC 6749 §3.1); want invalid_argument", a.URL)
			}
			wantCode(t, err, oauth.InvalidArgument)
		})
	}
}

func TestBuildAuthorizationPasswordGrant(t *testing.T) {
	tests := []struct {
		name string
		req  oauth.AuthorizeRequest
	}{
		{"flow password", oauth.AuthorizeRequest{ClientID: testClientID, Flow: "password"}},
		{"flow PASSWORD", oauth.AuthorizeRequest{ClientID: testClientID, Flow: "PASSWORD"}},
		{"extra grant_type", oauth.AuthorizeRequest{ClientID: testClientID, Extra: form.Values{{Name: "grant_type", Value: "password"}}}},
		{"extra password", oauth.AuthorizeRequest{ClientID: testClientID, Extra: form.Values{{Name: "password", Value: "hunter2"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := oauth.BuildAuthorization(tc.req)
			e := wantCode(t, err, oauth.Unsupported)
			if !strings.Contains(e.Message, "authorization code") {
				t.Errorf("message %q does not point to the authorization code flow", e.Message)
			}
		})
	}
}

func TestBuildAuthorizationUnknownFlow(t *testing.T) {
	for _, flow := range []string{"hybrid", "client_credentials", "code token", strings.Repeat("x", 100)} {
		_, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{ClientID: testClientID, Flow: flow})
		e := wantCode(t, err, oauth.Unsupported)
		if len(e.Message) > 300 {
			t.Errorf("message not clipped: %d bytes", len(e.Message))
		}
	}
}

func TestBuildAuthorizationInvalidArguments(t *testing.T) {
	long := strings.Repeat("a", 8<<10+1)
	tests := []struct {
		name string
		req  oauth.AuthorizeRequest
	}{
		{"missing clientId", oauth.AuthorizeRequest{}},
		{"clientId with newline", oauth.AuthorizeRequest{ClientID: "abc\ndef"}},
		{"clientId with NUL", oauth.AuthorizeRequest{ClientID: "abc\x00"}},
		{"clientId with DEL", oauth.AuthorizeRequest{ClientID: "abc\x7f"}},
		{"clientId 8 KiB+", oauth.AuthorizeRequest{ClientID: long}},
		{"extra value with CR", oauth.AuthorizeRequest{ClientID: testClientID, Extra: form.Values{{Name: "prompt", Value: "login\r\nX: y"}}}},
		{"extra value 8 KiB+", oauth.AuthorizeRequest{ClientID: testClientID, Extra: form.Values{{Name: "prompt", Value: long}}}},
		{"extra empty name", oauth.AuthorizeRequest{ClientID: testClientID, Extra: form.Values{{Name: "", Value: "x"}}}},
		{"extra name with tab", oauth.AuthorizeRequest{ClientID: testClientID, Extra: form.Values{{Name: "a\tb", Value: "x"}}}},
		{"scope 8 KiB+", oauth.AuthorizeRequest{ClientID: testClientID, Scope: []string{long}}},
		{"scope joined 8 KiB+", oauth.AuthorizeRequest{ClientID: testClientID, Scope: manyScopes(1200)}},
		{"state too short", oauth.AuthorizeRequest{ClientID: testClientID, State: "abc"}},
		{"state 21 chars", oauth.AuthorizeRequest{ClientID: testClientID, State: strings.Repeat("a", 21)}},
		{"state too long", oauth.AuthorizeRequest{ClientID: testClientID, State: strings.Repeat("a", 513)}},
		{"state with +", oauth.AuthorizeRequest{ClientID: testClientID, State: strings.Repeat("a", 22) + "+"}},
		{"state with /", oauth.AuthorizeRequest{ClientID: testClientID, State: strings.Repeat("a", 22) + "/"}},
		{"state with =", oauth.AuthorizeRequest{ClientID: testClientID, State: strings.Repeat("a", 22) + "=="}},
		{"state with space", oauth.AuthorizeRequest{ClientID: testClientID, State: strings.Repeat("a", 22) + " b"}},
		{"state with &", oauth.AuthorizeRequest{ClientID: testClientID, State: strings.Repeat("a", 22) + "&code=x"}},
		{"state non-ASCII", oauth.AuthorizeRequest{ClientID: testClientID, State: strings.Repeat("a", 22) + "é"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := oauth.BuildAuthorization(tc.req)
			wantCode(t, err, oauth.InvalidArgument)
		})
	}
}

func manyScopes(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "scope.number." + strings.Repeat("x", 3) + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676%26))
	}
	return out
}

func TestBuildAuthorizationCallerState(t *testing.T) {
	for _, state := range []string{strings.Repeat("A", 22), "abcdefghijklmnopqrstuvwxyz-._~0123456789", strings.Repeat("z", 512)} {
		a, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{ClientID: testClientID, State: state})
		if err != nil {
			t.Fatalf("state %q: %v", state, err)
		}
		if a.State != state {
			t.Errorf("State = %q, want %q", a.State, state)
		}
		if got := single(t, mustParseURL(t, a.URL).Query(), "state"); got != state {
			t.Errorf("URL state = %q", got)
		}
	}
}

func TestJoinScope(t *testing.T) {
	tests := []struct {
		name  string
		in    []string
		want  string
		wantQ string // the scope as it appears in the URL's raw query
	}{
		{"nil", nil, "", ""},
		{"list", []string{"identity:scim.me", "users.v1.read"}, "identity:scim.me users.v1.read", "identity%3Ascim.me%20users.v1.read"},
		{"space joined", []string{"calls.v2.initiate messaging.v1.send"}, "calls.v2.initiate messaging.v1.send", "calls.v2.initiate%20messaging.v1.send"},
		{"extra spaces", []string{"  a   b ", ""}, "a b", "a%20b"},
		{"duplicates", []string{"a b", "a", "c", "b c"}, "a b c", "a%20b%20c"},
		{"allowed punctuation", []string{"x!#$%&'()*+,-./:;<=>?@[]^_`{|}~"}, "x!#$%&'()*+,-./:;<=>?@[]^_`{|}~", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := oauth.JoinScope(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("JoinScope = %q, want %q", got, tc.want)
			}
			a, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{ClientID: testClientID, Scope: tc.in})
			if err != nil {
				t.Fatal(err)
			}
			q := mustParseURL(t, a.URL).Query()
			if tc.want == "" {
				if q.Has("scope") {
					t.Errorf("empty scope sent: %q", a.URL)
				}
				return
			}
			if s := single(t, q, "scope"); s != tc.want {
				t.Errorf("URL scope = %q, want %q", s, tc.want)
			}
			if tc.wantQ != "" && !strings.Contains(a.URL, "scope="+tc.wantQ+"&") {
				t.Errorf("URL %q lacks scope=%s", a.URL, tc.wantQ)
			}
		})
	}
}

func TestJoinScopeRefusesIllegalCharacters(t *testing.T) {
	tests := []struct{ name, scope string }{
		{"quote", `users"read`},
		{"backslash", `users\read`},
		{"non-ASCII letter", "usérs.read"},
		{"control 0x01", "users.read\x01"},
		{"DEL", "users.read\x7f"},
		// Only SP separates scope tokens (RFC 6749 §3.3). Non-ASCII and
		// control white space must be refused, not treated as a separator.
		{"no-break space", "read\u00a0write"},
		{"ideographic space", "read\u3000write"},
		{"em space", "read\u2003write"},
		{"next line U+0085", "read\u0085write"},
		{"newline", "read\nwrite"},
		{"tab", "read\twrite"},
		{"CRLF", "read\r\nwrite"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := oauth.JoinScope([]string{tc.scope})
			if err == nil {
				t.Fatalf("JoinScope(%q) = %q, want invalid_argument", tc.scope, got)
			}
			wantCode(t, err, oauth.InvalidArgument)
			_, err = oauth.BuildAuthorization(oauth.AuthorizeRequest{ClientID: testClientID, Scope: []string{"ok", tc.scope}})
			wantCode(t, err, oauth.InvalidArgument)
		})
	}
}

func TestCheckEndpoint(t *testing.T) {
	if err := oauth.CheckEndpoint("tokenEndpoint", "https://authentication.logmeininc.com/oauth/token"); err != nil {
		t.Error(err)
	}
	if err := oauth.CheckEndpoint("tokenEndpoint", "http://localhost:8080/token"); err != nil {
		t.Error(err)
	}
	wantCode(t, oauth.CheckEndpoint("tokenEndpoint", "http://example.com/token"), oauth.InvalidArgument)
	wantCode(t, oauth.CheckEndpoint("tokenEndpoint", "not a url"), oauth.InvalidArgument)
}
