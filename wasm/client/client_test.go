package client_test

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"gotoauth/pkce"
	"gotoauth/wasm/client"
	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/oauth/oauthtest"
	"gotoauth/wasm/pending"
	"gotoauth/wasm/scim"
)

const (
	clientID    = "a2094c4f-fAk0e-4339-934f-4da2d788d0aa"
	redirectURI = "https://app.example.com/callback"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// answer is one canned reply of the fake transport.
type answer struct {
	resp *client.Response
	err  error
}

// fakeTransport records requests, with the deadline each came with, and
// answers them in order.
type fakeTransport struct {
	reqs    []client.Request
	left    []time.Duration // until each request's deadline, as it was sent
	answers []answer
}

func (f *fakeTransport) RoundTrip(ctx client.Context, req *client.Request) (*client.Response, error) {
	f.reqs = append(f.reqs, *req)
	if c, ok := ctx.(interface{ Deadline() (time.Time, bool) }); ok {
		d, _ := c.Deadline()
		f.left = append(f.left, time.Until(d))
	}
	if len(f.answers) == 0 {
		return nil, errors.New("no canned answer")
	}
	a := f.answers[0]
	f.answers = f.answers[1:]
	return a.resp, a.err
}

func (f *fakeTransport) reply(status int, body string) {
	f.answers = append(f.answers, answer{resp: &client.Response{Status: status, Body: []byte(body)}})
}

func (f *fakeTransport) fail(err error) { f.answers = append(f.answers, answer{err: err}) }

func header(req client.Request, name string) (string, bool) {
	for _, h := range req.Headers {
		if strings.EqualFold(h[0], name) {
			return h[1], true
		}
	}
	return "", false
}

func newClient(t *testing.T, mutate func(*client.Config)) (*client.Client, *fakeTransport) {
	t.Helper()
	tr := &fakeTransport{}
	cfg := client.Config{
		ClientID:    clientID,
		RedirectURI: redirectURI,
		Scope:       []string{"identity:scim.me", "users.v1.read"},
		Transport:   tr,
		Now:         func() time.Time { return t0 },
	}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, tr
}

// wantCode fails unless err is an *oauth.Error with the given code.
var wantCode = oauthtest.WantCode

func exchange(t *testing.T, c *client.Client, cb *client.CheckedRedirect) (*oauth.Token, error) {
	t.Helper()
	return c.Exchange(client.Background(), cb)
}

func refresh(t *testing.T, c *client.Client, rt string) (*oauth.Token, error) {
	t.Helper()
	return c.Refresh(client.Background(), rt)
}

type meResult struct {
	p   *scim.Profile
	raw map[string]any
}

func me(t *testing.T, c *client.Client, at string) (meResult, error) {
	t.Helper()
	p, raw, err := c.Me(client.Background(), at)
	return meResult{p, raw}, err
}

// signIn runs Authorize and answers with a code redirect.
func signIn(t *testing.T, c *client.Client) (*oauth.Authorization, *client.CheckedRedirect) {
	t.Helper()
	a, err := c.Authorize(client.AuthorizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := c.HandleRedirect(redirectURI + "?code=iS0vynEEvRFA9i6kZ8gvNDnnOGE&state=" + a.State)
	if err != nil {
		t.Fatal(err)
	}
	return a, cb
}

func TestNewValidatesConfig(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*client.Config)
		code   oauth.Code
	}{
		{"no clientId", func(c *client.Config) { c.ClientID = "" }, oauth.InvalidArgument},
		{"no redirectUri", func(c *client.Config) { c.RedirectURI = "" }, oauth.InvalidArgument},
		{"http redirect off loopback", func(c *client.Config) { c.RedirectURI = "http://app.example.com/callback" }, oauth.InvalidArgument},
		{"redirect with fragment", func(c *client.Config) { c.RedirectURI = redirectURI + "#x" }, oauth.InvalidArgument},
		{"relative redirect", func(c *client.Config) { c.RedirectURI = "/callback" }, oauth.InvalidArgument},
		{"javascript redirect", func(c *client.Config) { c.RedirectURI = "javascript:alert(1)" }, oauth.InvalidArgument},
		{"clientId control char", func(c *client.Config) { c.ClientID = "a\nb" }, oauth.InvalidArgument},
		{"clientId 8 KiB+", func(c *client.Config) { c.ClientID = strings.Repeat("a", 8<<10+1) }, oauth.InvalidArgument},
		{"secret 8 KiB+", func(c *client.Config) { c.ClientSecret = strings.Repeat("a", 8<<10+1) }, oauth.InvalidArgument},
		{"http authorize endpoint", func(c *client.Config) { c.AuthorizeEndpoint = "http://sso.example.com/authorize" }, oauth.InvalidArgument},
		{"authorize endpoint with state", func(c *client.Config) { c.AuthorizeEndpoint = "https://sso.example.com/authorize?state=x" }, oauth.InvalidArgument},
		{"http token endpoint", func(c *client.Config) { c.TokenEndpoint = "http://authentication.logmeininc.com/oauth/token" }, oauth.InvalidArgument},
		{"relative token endpoint", func(c *client.Config) { c.TokenEndpoint = "/oauth/token" }, oauth.InvalidArgument},
		{"token endpoint with fragment", func(c *client.Config) { c.TokenEndpoint = "https://x.example.com/token#f" }, oauth.InvalidArgument},
		{"bad me endpoint", func(c *client.Config) { c.MeEndpoint = "ftp://api.getgo.com/me" }, oauth.InvalidArgument},
		{"bad scope", func(c *client.Config) { c.Scope = []string{`a"b`} }, oauth.InvalidArgument},
		{"password flow", func(c *client.Config) { c.Flow = "password" }, oauth.Unsupported},
		{"unknown flow", func(c *client.Config) { c.Flow = "device" }, oauth.Unsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := client.Config{ClientID: clientID, RedirectURI: redirectURI, Transport: &fakeTransport{}}
			tc.mutate(&cfg)
			c, err := client.New(cfg)
			if c != nil {
				t.Errorf("client returned with the error")
			}
			wantCode(t, err, tc.code)
		})
	}
}

func TestNewDefaults(t *testing.T) {
	for _, r := range []string{redirectURI, "http://127.0.0.1:5173/cb", "http://localhost/cb", "com.example.app:/cb"} {
		c, err := client.New(client.Config{ClientID: clientID, RedirectURI: r, Transport: &fakeTransport{}})
		if err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		cfg := c.Config()
		if cfg.TokenEndpoint != oauth.DefaultTokenEndpoint || cfg.MeEndpoint != oauth.DefaultMeEndpoint || cfg.Storage == nil || cfg.Now == nil {
			t.Errorf("defaults not filled: %+v", cfg)
		}
	}
	if _, err := client.New(client.Config{ClientID: clientID, RedirectURI: redirectURI, Transport: &fakeTransport{},
		TokenEndpoint: "http://localhost:8080/oauth/token", MeEndpoint: "http://127.0.0.1:8080/me", AuthorizeEndpoint: "http://[::1]:8080/authorize"}); err != nil {
		t.Errorf("loopback emulator endpoints refused: %v", err)
	}
}

// A Client without a Transport must not take the program down: wasm ends
// on any panic. Either New refuses it or the calls report an error.
func TestNewWithoutTransport(t *testing.T) {
	c, err := client.New(client.Config{ClientID: clientID, RedirectURI: redirectURI})
	if err != nil {
		wantCode(t, err, oauth.InvalidArgument)
		return
	}
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Refresh panicked on a Client built without a Transport: %v", r)
		}
	}()
	_, err = refresh(t, c, "rt")
	if err == nil {
		t.Fatal("Refresh without a Transport succeeded")
	}
	var e *oauth.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *oauth.Error", err)
	}
}

func TestAuthorizeCodeRoundTrip(t *testing.T) {
	c, tr := newClient(t, nil)
	a, err := c.Authorize(client.AuthorizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(a.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != clientID || q.Get("redirect_uri") != redirectURI ||
		q.Get("scope") != "identity:scim.me users.v1.read" || q.Get("state") != a.State || q.Get("code_challenge_method") != "S256" {
		t.Errorf("authorize URL %q", a.URL)
	}
	cb, err := c.HandleRedirect(redirectURI + "?code=iS0vynEEvRFA9i6kZ8gvNDnnOGE&state=" + a.State)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Redirect.Kind != oauth.KindCode || cb.Redirect.Code != "iS0vynEEvRFA9i6kZ8gvNDnnOGE" {
		t.Errorf("Redirect = %+v", cb.Redirect)
	}
	if cb.CodeVerifier == "" || pkce.Challenge(cb.CodeVerifier) != q.Get("code_challenge") {
		t.Errorf("CodeVerifier %q does not match the URL's challenge %q", cb.CodeVerifier, q.Get("code_challenge"))
	}
	if cb.RedirectURI != redirectURI {
		t.Errorf("RedirectURI = %q", cb.RedirectURI)
	}
	if len(tr.reqs) != 0 {
		t.Errorf("authorize/handleRedirect sent requests: %+v", tr.reqs)
	}
	// Replay of the same redirect.
	_, err = c.HandleRedirect(redirectURI + "?code=iS0vynEEvRFA9i6kZ8gvNDnnOGE&state=" + a.State)
	wantCode(t, err, oauth.StateMismatch)
}

func TestAuthorizeOptions(t *testing.T) {
	c, _ := newClient(t, nil)
	state := strings.Repeat("s", 30)
	a, err := c.Authorize(client.AuthorizeOptions{Scope: []string{"calls.v2.initiate"}, State: state, Flow: "implicit"})
	if err != nil {
		t.Fatal(err)
	}
	q := mustQuery(t, a.URL)
	if q.Get("scope") != "calls.v2.initiate" || q.Get("state") != state || q.Get("response_type") != "token" {
		t.Errorf("URL %q", a.URL)
	}
	// Empty (non-nil) scope replaces the configured one.
	a, err = c.Authorize(client.AuthorizeOptions{Scope: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if mustQuery(t, a.URL).Has("scope") {
		t.Errorf("URL %q still has a scope", a.URL)
	}
	_, err = c.Authorize(client.AuthorizeOptions{Flow: "password"})
	wantCode(t, err, oauth.Unsupported)
	_, err = c.Authorize(client.AuthorizeOptions{State: "short"})
	wantCode(t, err, oauth.InvalidArgument)
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestAuthorizeImplicitRoundTrip(t *testing.T) {
	c, _ := newClient(t, func(cfg *client.Config) { cfg.Flow = "implicit" })
	a, err := c.Authorize(client.AuthorizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a.CodeVerifier != "" || mustQuery(t, a.URL).Has("code_challenge") {
		t.Errorf("implicit flow with PKCE: %q", a.URL)
	}
	cb, err := c.HandleRedirect(redirectURI + "#access_token=eyJraWQ&token_type=Bearer&expires_in=3600&principal=mister.jones%40fakemail.com&scope=users.v1.read%20identity%3Ascim.me&state=" + a.State)
	if err != nil {
		t.Fatal(err)
	}
	tok := cb.Redirect.Token
	if cb.Redirect.Kind != oauth.KindToken || tok == nil || tok.AccessToken != "eyJraWQ" || tok.ExpiresAt != t0.UnixMilli()+3600_000 ||
		tok.Principal != "mister.jones@fakemail.com" || len(tok.Scope) != 2 {
		t.Errorf("got %+v %+v", cb.Redirect, tok)
	}
	if cb.CodeVerifier != "" {
		t.Errorf("CodeVerifier = %q", cb.CodeVerifier)
	}
	// The token of an implicit callback cannot be "exchanged".
	tr := c.Config().Transport.(*fakeTransport)
	_, err = exchange(t, c, cb)
	wantCode(t, err, oauth.InvalidArgument)
	if len(tr.reqs) != 0 {
		t.Errorf("requests sent: %+v", tr.reqs)
	}
}

func TestHandleRedirectRefusals(t *testing.T) {
	t.Run("foreign client, same storage", func(t *testing.T) {
		shared := &pending.Memory{}
		other, _ := newClient(t, func(c *client.Config) { c.ClientID = "other-client"; c.Storage = shared })
		c, _ := newClient(t, func(c *client.Config) { c.Storage = shared })
		a, err := other.Authorize(client.AuthorizeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.HandleRedirect(redirectURI + "?code=x&state=" + a.State)
		wantCode(t, err, oauth.StateMismatch)
		// The state was consumed by the refusal.
		_, err = other.HandleRedirect(redirectURI + "?code=x&state=" + a.State)
		wantCode(t, err, oauth.StateMismatch)
	})
	t.Run("same client id, other storage", func(t *testing.T) {
		other, _ := newClient(t, nil)
		c, _ := newClient(t, nil)
		a, err := other.Authorize(client.AuthorizeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.HandleRedirect(redirectURI + "?code=x&state=" + a.State)
		wantCode(t, err, oauth.StateMismatch)
	})
	t.Run("error redirect with valid state", func(t *testing.T) {
		c, _ := newClient(t, nil)
		a, err := c.Authorize(client.AuthorizeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.HandleRedirect(redirectURI + "?error=access_denied&error_description=The+user+denied+access&state=" + a.State)
		e := wantCode(t, err, oauth.OAuthError)
		if e.OAuth != "access_denied" || e.Description != "The user denied access" {
			t.Errorf("got %+v", e)
		}
		// The state is used up.
		_, err = c.HandleRedirect(redirectURI + "?code=x&state=" + a.State)
		wantCode(t, err, oauth.StateMismatch)
	})
	t.Run("error redirect with unknown state", func(t *testing.T) {
		c, _ := newClient(t, nil)
		_, err := c.HandleRedirect(redirectURI + "?error=access_denied&state=" + strings.Repeat("u", 43))
		wantCode(t, err, oauth.StateMismatch)
	})
	t.Run("missing state", func(t *testing.T) {
		c, _ := newClient(t, nil)
		if _, err := c.Authorize(client.AuthorizeOptions{}); err != nil {
			t.Fatal(err)
		}
		_, err := c.HandleRedirect(redirectURI + "?code=x")
		wantCode(t, err, oauth.StateMismatch)
	})
	t.Run("error redirect without state", func(t *testing.T) {
		c, _ := newClient(t, nil)
		_, err := c.HandleRedirect(redirectURI + "?error=access_denied")
		wantCode(t, err, oauth.StateMismatch)
	})
	t.Run("code for implicit request", func(t *testing.T) {
		c, _ := newClient(t, func(cfg *client.Config) { cfg.Flow = "implicit" })
		a, err := c.Authorize(client.AuthorizeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.HandleRedirect(redirectURI + "?code=x&state=" + a.State)
		wantCode(t, err, oauth.InvalidRedirect)
	})
	t.Run("token for code request", func(t *testing.T) {
		c, _ := newClient(t, nil)
		a, err := c.Authorize(client.AuthorizeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.HandleRedirect(redirectURI + "#access_token=x&token_type=Bearer&state=" + a.State)
		wantCode(t, err, oauth.InvalidRedirect)
	})
	t.Run("expired", func(t *testing.T) {
		now := t0
		c, _ := newClient(t, func(cfg *client.Config) { cfg.Now = func() time.Time { return now } })
		a, err := c.Authorize(client.AuthorizeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(11 * time.Minute)
		_, err = c.HandleRedirect(redirectURI + "?code=x&state=" + a.State)
		wantCode(t, err, oauth.StateExpired)
	})
	t.Run("malformed redirect", func(t *testing.T) {
		c, _ := newClient(t, nil)
		a, err := c.Authorize(client.AuthorizeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.HandleRedirect(redirectURI + "?code=x&code=y&state=" + a.State)
		wantCode(t, err, oauth.InvalidRedirect)
		_, err = c.HandleRedirect(redirectURI + "?access_token=x&state=" + a.State)
		wantCode(t, err, oauth.InvalidRedirect)
	})
}

func formBody(t *testing.T, body string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(body)
	if err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	for k, vs := range v {
		if len(vs) != 1 {
			t.Errorf("body parameter %s repeated: %q", k, body)
		}
	}
	return v
}

func TestExchangeCodePublicClient(t *testing.T) {
	c, tr := newClient(t, nil)
	_, cb := signIn(t, c)
	tr.reply(200, `{"access_token":"eyJraWQiOiJvYXV0aHYyLmxt666...","token_type":"Bearer","refresh_token":"eyJraWQiOiJvYXV0aHYyLmxt999...","expires_in":3600,"scope":"users.v1.lines.read calls.v2.initiate","principal":"mister.jones@fakemail.com"}`)
	tok, err := exchange(t, c, cb)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "eyJraWQiOiJvYXV0aHYyLmxt666..." || tok.RefreshToken != "eyJraWQiOiJvYXV0aHYyLmxt999..." || tok.ExpiresAt != t0.UnixMilli()+3600_000 || tok.Principal != "mister.jones@fakemail.com" {
		t.Errorf("token %+v", tok)
	}
	if len(tr.reqs) != 1 {
		t.Fatalf("%d requests", len(tr.reqs))
	}
	req := tr.reqs[0]
	if req.Method != "POST" || req.URL != oauth.DefaultTokenEndpoint {
		t.Errorf("request %s %s", req.Method, req.URL)
	}
	if ct, _ := header(req, "Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type %q", ct)
	}
	if _, ok := header(req, "Authorization"); ok {
		t.Errorf("public client sent an Authorization header")
	}
	b := formBody(t, req.Body)
	want := map[string]string{
		"grant_type":    "authorization_code",
		"code":          "iS0vynEEvRFA9i6kZ8gvNDnnOGE",
		"redirect_uri":  redirectURI,
		"code_verifier": cb.CodeVerifier,
		"client_id":     clientID,
	}
	for k, v := range want {
		if b.Get(k) != v {
			t.Errorf("body %s = %q, want %q", k, b.Get(k), v)
		}
	}
	if len(b) != len(want) {
		t.Errorf("body %q has extra parameters", req.Body)
	}
	if strings.Contains(req.Body, "client_secret") {
		t.Error("client_secret in body")
	}
}

func TestExchangeCodeConfidentialClient(t *testing.T) {
	// A secret with '+', '/' and '=', as GoTo's own example secret has.
	const secret = "3naO10IA2agcvG+9I9T/GEQ=="
	c, tr := newClient(t, func(cfg *client.Config) { cfg.ClientSecret = secret })
	_, cb := signIn(t, c)
	tr.reply(200, `{"access_token":"a","token_type":"Bearer","expires_in":3600}`)
	if _, err := exchange(t, c, cb); err != nil {
		t.Fatal(err)
	}
	req := tr.reqs[0]
	auth, _ := header(req, "Authorization")
	// GoTo's guides: Base64 of client_id:client_secret, pasted as they are.
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret)); auth != want {
		t.Errorf("Authorization = %q, want GoTo's %q", auth, want)
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Basic "))
	if strings.Contains(string(raw), "%") {
		t.Errorf("credentials %q are form-encoded", raw)
	}
	b := formBody(t, req.Body)
	if b.Has("client_id") || b.Has("client_secret") {
		t.Errorf("body %q carries client credentials", req.Body)
	}
	if b.Get("code_verifier") != cb.CodeVerifier || b.Get("grant_type") != "authorization_code" {
		t.Errorf("body %q", req.Body)
	}
}

func TestBasicAuthIsTheGuidesHeader(t *testing.T) {
	// The header of GoTo's guide "How to obtain an access token", decoded.
	const guide = "Basic YTIwfAKeNGYtODY4YS00MzM5LTkzNGYtNGRhMmQ3ODhkMGFhOjNuYU8xMElBMmFnY3ZHKzlJOVRHRVE9PQ=="
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(guide, "Basic "))
	id, secret, _ := strings.Cut(string(raw), ":")
	if got := client.BasicAuth(id, secret); got != guide {
		t.Errorf("BasicAuth(%q, %q) = %q, want the guide's %q", id, secret, got, guide)
	}
}

func TestClientIDWithColonAndSecretRefused(t *testing.T) {
	_, err := client.New(client.Config{ClientID: "a:b", ClientSecret: "s", RedirectURI: redirectURI, Transport: &fakeTransport{}})
	wantCode(t, err, oauth.InvalidArgument)
	if _, err := client.New(client.Config{ClientID: "a:b", RedirectURI: redirectURI, Transport: &fakeTransport{}}); err != nil {
		t.Errorf("a public client's id may hold ':' (it goes in the form body): %v", err)
	}
}

func TestExchangeCodeRefusesBadCallbacks(t *testing.T) {
	c, tr := newClient(t, nil)
	other, _ := newClient(t, nil)
	_, foreign := signIn(t, other)
	for name, cb := range map[string]*client.CheckedRedirect{
		"nil":     nil,
		"foreign": foreign,
		"forged":  {Redirect: &oauth.Redirect{Kind: oauth.KindCode, Code: "x"}, CodeVerifier: "v", RedirectURI: redirectURI},
		"empty":   {},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := exchange(t, c, cb)
			wantCode(t, err, oauth.InvalidArgument)
			if len(tr.reqs) != 0 {
				t.Errorf("request sent: %+v", tr.reqs)
			}
		})
	}
}

func TestExchangeCodeOnce(t *testing.T) {
	for _, first := range []struct {
		name  string
		setup func(tr *fakeTransport)
	}{
		{"after success", func(tr *fakeTransport) { tr.reply(200, `{"access_token":"a","token_type":"Bearer"}`) }},
		{"after failure", func(tr *fakeTransport) { tr.fail(errors.New("offline")) }},
	} {
		t.Run(first.name, func(t *testing.T) {
			c, tr := newClient(t, nil)
			_, cb := signIn(t, c)
			first.setup(tr)
			exchange(t, c, cb)
			tr.reply(200, `{"access_token":"b","token_type":"Bearer"}`)
			_, err := exchange(t, c, cb)
			wantCode(t, err, oauth.CodeUsed)
			if len(tr.reqs) != 1 {
				t.Errorf("%d requests, want 1", len(tr.reqs))
			}
		})
	}
}

func TestExchangeCodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(tr *fakeTransport)
		code   oauth.Code
		status int
		oauth  string
	}{
		{"invalid_grant", func(tr *fakeTransport) {
			tr.reply(400, `{"error":"invalid_grant","error_description":"Invalid authorization code"}`)
		}, oauth.OAuthError, 400, "invalid_grant"},
		{"invalid_client", func(tr *fakeTransport) {
			tr.reply(401, `{"error":"invalid_client","error_description":"Client authentication failed."}`)
		}, oauth.OAuthError, 401, "invalid_client"},
		{"500 text", func(tr *fakeTransport) { tr.reply(500, `Internal Server Error`) }, oauth.HTTPError, 500, ""},
		{"502 html", func(tr *fakeTransport) { tr.reply(502, `<html>Bad Gateway</html>`) }, oauth.HTTPError, 502, ""},
		{"404 dead host", func(tr *fakeTransport) {
			tr.reply(404, `{"message":"This endpoint is no longer valid, please use authentication.logmeininc.com"}`)
		}, oauth.HTTPError, 404, ""},
		{"network", func(tr *fakeTransport) { tr.fail(errors.New("TypeError: Failed to fetch")) }, oauth.NetworkError, 0, ""},
		{"200 non-JSON", func(tr *fakeTransport) { tr.reply(200, `<html>login</html>`) }, oauth.InvalidResponse, 200, ""},
		{"200 JSON array", func(tr *fakeTransport) { tr.reply(200, `["a"]`) }, oauth.InvalidResponse, 200, ""},
		{"200 no token", func(tr *fakeTransport) { tr.reply(200, `{"token_type":"Bearer"}`) }, oauth.InvalidResponse, 200, ""},
		{"200 mac token", func(tr *fakeTransport) { tr.reply(200, `{"access_token":"a","token_type":"mac"}`) }, oauth.InvalidResponse, 200, ""},
		{"200 error body", func(tr *fakeTransport) { tr.reply(200, `{"error":"invalid_grant"}`) }, oauth.OAuthError, 200, "invalid_grant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, tr := newClient(t, nil)
			_, cb := signIn(t, c)
			tc.setup(tr)
			tok, err := exchange(t, c, cb)
			if tok != nil {
				t.Errorf("token with the error: %+v", tok)
			}
			e := wantCode(t, err, tc.code)
			if e.Status != tc.status || e.OAuth != tc.oauth {
				t.Errorf("Status=%d OAuth=%q, want %d %q", e.Status, e.OAuth, tc.status, tc.oauth)
			}
			if len(tr.reqs) != 1 {
				t.Errorf("%d requests", len(tr.reqs))
			}
		})
	}
}

func TestRefresh(t *testing.T) {
	const old = "eyJraWQiOiJvYXV0aHYyLmxt999..."
	t.Run("no new refresh token keeps the old one", func(t *testing.T) {
		c, tr := newClient(t, nil)
		tr.reply(200, `{"access_token":"eyJraWQiOiJvYXV0aHYyLmxt666...","token_type":"Bearer","expires_in":3600,"scope":"users.v1.lines.read calls.v2.initiate","principal":"mister.jones@fakemail.com"}`)
		tok, err := refresh(t, c, old)
		if err != nil {
			t.Fatal(err)
		}
		if tok.RefreshToken != old || tok.AccessToken != "eyJraWQiOiJvYXV0aHYyLmxt666..." {
			t.Errorf("token %+v", tok)
		}
		req := tr.reqs[0]
		b := formBody(t, req.Body)
		if req.Method != "POST" || req.URL != oauth.DefaultTokenEndpoint || b.Get("grant_type") != "refresh_token" || b.Get("refresh_token") != old || b.Get("client_id") != clientID {
			t.Errorf("request %+v", req)
		}
	})
	t.Run("rotated refresh token", func(t *testing.T) {
		c, tr := newClient(t, nil)
		tr.reply(200, `{ "access_token": "eyJraWQiOiJvYXV0aHYyLmxt666...", "token_type": "Bearer", "refresh_token": "NEW-REFRESH", "expires_in": 3600, "scope": "users.v1.lines.read calls.v2.initiate", "principal": "mister.jones@fakemail.com" }`)
		tok, err := refresh(t, c, old)
		if err != nil {
			t.Fatal(err)
		}
		if tok.RefreshToken != "NEW-REFRESH" {
			t.Errorf("RefreshToken = %q", tok.RefreshToken)
		}
	})
	t.Run("confidential client", func(t *testing.T) {
		c, tr := newClient(t, func(cfg *client.Config) { cfg.ClientSecret = "secret" })
		tr.reply(200, `{"access_token":"a","token_type":"Bearer"}`)
		if _, err := refresh(t, c, old); err != nil {
			t.Fatal(err)
		}
		if _, ok := header(tr.reqs[0], "Authorization"); !ok || formBody(t, tr.reqs[0].Body).Has("client_id") {
			t.Errorf("request %+v", tr.reqs[0])
		}
	})
	for _, tc := range []struct {
		name, body   string
		status       int
		code         oauth.Code
		oauth, descr string
	}{
		{"GoToConnect token: unsupported.jwt", `{"error":"invalid_request","error_description":"unsupported.jwt"}`, 400, oauth.Reauthenticate, "invalid_request", "unsupported.jwt"},
		{"invalid_grant", `{"error":"invalid_grant","error_description":"Invalid refresh token"}`, 400, oauth.Reauthenticate, "invalid_grant", "Invalid refresh token"},
		{"other invalid_request", `{"error":"invalid_request","error_description":"missing parameter"}`, 400, oauth.OAuthError, "invalid_request", "missing parameter"},
		{"invalid_client", `{"error":"invalid_client","error_description":"Client authentication failed."}`, 401, oauth.OAuthError, "invalid_client", "Client authentication failed."},
		{"503", `Service Unavailable`, 503, oauth.HTTPError, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, tr := newClient(t, nil)
			tr.reply(tc.status, tc.body)
			tok, err := refresh(t, c, old)
			if tok != nil {
				t.Errorf("token with the error: %+v", tok)
			}
			e := wantCode(t, err, tc.code)
			if e.Status != tc.status || e.OAuth != tc.oauth || e.Description != tc.descr {
				t.Errorf("got %+v", e)
			}
		})
	}
	t.Run("network", func(t *testing.T) {
		c, tr := newClient(t, nil)
		tr.fail(errors.New("ECONNRESET"))
		_, err := refresh(t, c, old)
		wantCode(t, err, oauth.NetworkError)
	})
	t.Run("bad arguments", func(t *testing.T) {
		c, tr := newClient(t, nil)
		_, err := refresh(t, c, "")
		wantCode(t, err, oauth.InvalidArgument)
		_, err = refresh(t, c, strings.Repeat("r", 32<<10+1))
		wantCode(t, err, oauth.InvalidArgument)
		if len(tr.reqs) != 0 {
			t.Errorf("requests sent: %+v", tr.reqs)
		}
	})
}

const meBody = `{
  "id": "8439885694023999999",
  "userName": "mister.jones@fakemail.com",
  "displayName": "Moon Beam",
  "name": {"givenName": "Moon", "familyName": "Beam"},
  "locale": "en_US",
  "timezone": "America/New_York",
  "urn:scim:schemas:extension:getgo:1.0": {"accounts": [{"value": "9999982253621659654", "display": "Fake Corp", "entitlements": ["acctadmin"]}]}
}`

func TestMe(t *testing.T) {
	c, tr := newClient(t, nil)
	tr.reply(200, meBody)
	res, err := me(t, c, "eyJraWQiOiJvYXV0aHYyLmxt666...")
	if err != nil {
		t.Fatal(err)
	}
	req := tr.reqs[0]
	if req.Method != "GET" || req.URL != "https://api.getgo.com/identity/v1/Users/me" || req.Body != "" {
		t.Errorf("request %+v", req)
	}
	if auth, _ := header(req, "Authorization"); auth != "Bearer eyJraWQiOiJvYXV0aHYyLmxt666..." {
		t.Errorf("Authorization = %q", auth)
	}
	p := res.p
	if p == nil || p.ID != "8439885694023999999" || p.UserName != "mister.jones@fakemail.com" || p.GivenName != "Moon" ||
		len(p.Accounts) != 1 || p.Accounts[0].Key != "9999982253621659654" {
		t.Errorf("profile %+v", p)
	}
	if res.raw["displayName"] != "Moon Beam" {
		t.Errorf("raw body not passed on: %v", res.raw)
	}
}

func TestMeCustomEndpoint(t *testing.T) {
	c, tr := newClient(t, func(cfg *client.Config) { cfg.MeEndpoint = "http://localhost:8080/identity/v1/Users/me" })
	tr.reply(200, meBody)
	if _, err := me(t, c, "tok"); err != nil {
		t.Fatal(err)
	}
	if tr.reqs[0].URL != "http://localhost:8080/identity/v1/Users/me" {
		t.Errorf("URL %q", tr.reqs[0].URL)
	}
}

func TestMeErrors(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		code       oauth.Code
	}{
		{"401 no body", ``, 401, oauth.HTTPError},
		{"401 InvalidToken", `{"int_err_code":"InvalidToken","msg":"Invalid token passed"}`, 401, oauth.HTTPError},
		{"401 oauth body", `{"error":"invalid_token","error_description":"expired"}`, 401, oauth.HTTPError},
		{"403 no body", ``, 403, oauth.HTTPError},
		{"403 body", `{"int_err_code":"InvalidToken","msg":"Invalid token passed"}`, 403, oauth.HTTPError},
		{"403 oauth body", `{"error":"insufficient_scope"}`, 403, oauth.HTTPError},
		{"404", `{"message":"not found"}`, 404, oauth.HTTPError},
		{"502", `Bad Gateway`, 502, oauth.HTTPError},
		{"504", ``, 504, oauth.HTTPError},
		{"200 not JSON", `<html></html>`, 200, oauth.InvalidResponse},
		{"200 no id", `{"userName":"u"}`, 200, oauth.InvalidResponse},
		{"200 bad accounts", `{"id":"1","userName":"u","urn:scim:schemas:extension:getgo:1.0":{"accounts":"x"}}`, 200, oauth.InvalidResponse},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, tr := newClient(t, nil)
			tr.reply(tc.status, tc.body)
			res, err := me(t, c, "tok")
			if res.p != nil {
				t.Errorf("profile with the error: %+v", res.p)
			}
			e := wantCode(t, err, tc.code)
			if e.Status != tc.status {
				t.Errorf("Status = %d, want %d", e.Status, tc.status)
			}
		})
	}
	t.Run("network", func(t *testing.T) {
		c, tr := newClient(t, nil)
		tr.fail(errors.New("Failed to fetch"))
		_, err := me(t, c, "tok")
		wantCode(t, err, oauth.NetworkError)
	})
	t.Run("bad tokens", func(t *testing.T) {
		c, tr := newClient(t, nil)
		for _, tok := range []string{"", "a b", "a\r\nX-Evil: 1", "tök", strings.Repeat("t", 32<<10+1)} {
			_, err := me(t, c, tok)
			wantCode(t, err, oauth.InvalidArgument)
		}
		if len(tr.reqs) != 0 {
			t.Errorf("requests sent: %+v", tr.reqs)
		}
	})
}

// The complete sign-in: authorize, redirect, exchange, refresh, /me.
func TestFullSignIn(t *testing.T) {
	c, tr := newClient(t, nil)
	_, cb := signIn(t, c)
	tr.reply(200, `{"access_token":"AT1","token_type":"Bearer","refresh_token":"RT1","expires_in":3600,"scope":"identity:scim.me users.v1.read","principal":"mister.jones@fakemail.com"}`)
	tok, err := exchange(t, c, cb)
	if err != nil {
		t.Fatal(err)
	}
	tr.reply(200, `{"access_token":"AT2","token_type":"Bearer","expires_in":3600}`)
	tok2, err := refresh(t, c, tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if tok2.AccessToken != "AT2" || tok2.RefreshToken != "RT1" {
		t.Errorf("refreshed %+v", tok2)
	}
	tr.reply(200, meBody)
	res, err := me(t, c, tok2.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if res.p.Legacy[0].Value != "8439885694023999999" {
		t.Errorf("profile %+v", res.p)
	}
	if len(tr.reqs) != 3 {
		t.Errorf("%d requests", len(tr.reqs))
	}
}

func TestTimeout(t *testing.T) {
	for _, bad := range []time.Duration{time.Millisecond, 99 * time.Millisecond, time.Hour} {
		_, err := client.New(client.Config{ClientID: clientID, RedirectURI: redirectURI, Transport: &fakeTransport{}, Timeout: bad})
		wantCode(t, err, oauth.InvalidArgument)
	}
	f := &fakeTransport{}
	c, err := client.New(client.Config{ClientID: clientID, RedirectURI: redirectURI, Transport: f})
	if err != nil {
		t.Fatal(err)
	}
	f.reply(200, `{"access_token":"a","token_type":"Bearer"}`)
	if _, err := refresh(t, c, "rt"); err != nil {
		t.Fatal(err)
	}
	if left := f.left[0]; left <= limits.DefaultTimeout-time.Second || left > limits.DefaultTimeout {
		t.Fatalf("request deadline %v away, want the default %v", left, limits.DefaultTimeout)
	}
}

func TestTimeoutFromMillis(t *testing.T) {
	for _, ms := range []int64{-1, 0, 99, 600001, 18446744073810 / 1000, 1 << 62} {
		if _, err := client.TimeoutFromMillis(ms); err == nil {
			t.Errorf("TimeoutFromMillis(%d) accepted", ms)
		} else {
			wantCode(t, err, oauth.InvalidArgument)
		}
	}
	for _, ms := range []int64{100, 1500, 600000} {
		if d, err := client.TimeoutFromMillis(ms); err != nil || d != time.Duration(ms)*time.Millisecond {
			t.Errorf("TimeoutFromMillis(%d) = %v, %v", ms, d, err)
		}
	}
}

const relayURL = "https://app.example.com/relay/"

func relayClient(t *testing.T) (*client.Client, *fakeTransport) {
	t.Helper()
	return newClient(t, func(cfg *client.Config) { cfg.Relay = relayURL })
}

// Through a relay the client has no token endpoint, and says so.
func TestRelayConfigHasNoTokenEndpoint(t *testing.T) {
	c, _ := relayClient(t)
	if got := c.Config().TokenEndpoint; got != "" {
		t.Errorf("a relay client reports the token endpoint %q, which it never uses", got)
	}
}

func TestRelayConfig(t *testing.T) {
	for name, mutate := range map[string]func(*client.Config){
		"with a secret":         func(c *client.Config) { c.Relay, c.ClientSecret = relayURL, "s" },
		"with a token endpoint": func(c *client.Config) { c.Relay, c.TokenEndpoint = relayURL, "https://a.example/token" },
		"without a slash":       func(c *client.Config) { c.Relay = "https://app.example.com/relay" },
		"with a query":          func(c *client.Config) { c.Relay = "https://app.example.com/relay/?x=1/" },
		"over http":             func(c *client.Config) { c.Relay = "http://app.example.com/relay/" },
		"relative":              func(c *client.Config) { c.Relay = "/relay/" },
	} {
		cfg := client.Config{ClientID: clientID, RedirectURI: redirectURI, Transport: &fakeTransport{}}
		mutate(&cfg)
		_, err := client.New(cfg)
		if err == nil {
			t.Errorf("relay %s accepted", name)
			continue
		}
		wantCode(t, err, oauth.InvalidArgument)
	}
}

// A relay client's token requests are the page's own (web/gotoauth-relay.js):
// the Go client sends none of them.
func TestRelayRequestsAreThePages(t *testing.T) {
	c, tr := relayClient(t)
	_, cb := signIn(t, c)
	_, err := exchange(t, c, cb)
	wantCode(t, err, oauth.InvalidArgument)
	_, err = refresh(t, c, "")
	wantCode(t, err, oauth.InvalidArgument)
	if len(tr.reqs) != 0 {
		t.Errorf("%d requests sent", len(tr.reqs))
	}
}

// A page on localhost whose redirectUri is on 127.0.0.1 (or the other way
// round) finds no state where the redirect lands: the message says why.
func TestUnknownStateOnAnotherOrigin(t *testing.T) {
	state := strings.Repeat("s", 30)
	lead := func(at, other string) string {
		return "the redirect came to " + at + ", where no sign-in was started in this tab: if it started on " + other +
			", another origin with storage of its own, open the app on " + at + " (the host of redirectUri) and sign in there (" + pending.UnknownState + ")"
	}
	tests := []struct {
		name, redirect, want string // want: the whole message
	}{
		{"127.0.0.1, started on localhost", "http://127.0.0.1:5173/cb?code=x&state=" + state, lead("127.0.0.1", "localhost")},
		{"localhost, started on 127.0.0.1", "http://localhost:5173/?code=x&state=" + state, lead("localhost", "127.0.0.1")},
		{"[::1]", "http://[::1]:8080/#access_token=a&token_type=Bearer&state=" + state, lead("[::1]", "localhost")},
		{"https, no port", "https://localhost/?code=x&state=" + state, lead("localhost", "127.0.0.1")},
		{"another host: nothing to add", "https://app.example/cb?code=x&state=" + state, pending.UnknownState},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newClient(t, func(c *client.Config) { c.RedirectURI = "http://127.0.0.1:5173/cb" })
			_, err := c.HandleRedirect(tc.redirect)
			e := wantCode(t, err, oauth.StateMismatch)
			if e.Message != tc.want {
				t.Errorf("message\n got %s\nwant %s", e.Message, tc.want)
			}
		})
	}
	// Other refusals keep their own words.
	c, _ := newClient(t, nil)
	_, err := c.HandleRedirect("http://localhost:5173/?code=x")
	if e := wantCode(t, err, oauth.StateMismatch); strings.Contains(e.Message, "another origin") {
		t.Errorf("a missing state: %q", e.Message)
	}
}

func TestMeRefusedTokenSaysWhatToDo(t *testing.T) {
	for _, body := range []string{``, `{"error":"invalid_token","error_description":"expired"}`} {
		c, tr := newClient(t, nil)
		tr.reply(401, body)
		_, err := me(t, c, "tok")
		e := wantCode(t, err, oauth.HTTPError)
		if !strings.HasPrefix(e.Message, "the access token was refused, so it was revoked or has expired: refresh it (session.token()), or sign in again (SCIM /me answered") {
			t.Errorf("message %q", e.Message)
		}
		if e.Status != 401 {
			t.Errorf("Status = %d", e.Status)
		}
	}
	c, tr := newClient(t, nil)
	tr.reply(403, ``)
	_, err := me(t, c, "tok")
	if e := wantCode(t, err, oauth.HTTPError); strings.Contains(e.Message, "refresh") {
		t.Errorf("a 403 is not about the token's life: %q", e.Message)
	}
}
