// Package interop proves that gotoauth's authorization code flow with PKCE,
// and its refresh, complete against a real authorization server that nobody
// here wrote: ory/fosite, run in-process on the loopback interface.
//
// The browser-side half is the built module itself (web/gotoauth.wasm,
// loaded through web/gotoauth-node.js by interop_driver.mjs under Node), so run
// `make build` at the repository root first, then
//
//	cd web/test/interop && go test -count=1 ./...
//
// relay_test.go runs the same flow with its backend half in the real token
// relay (gotoauth/web/relay) and a confidential client, and pins down where
// GoTo's HTTP Basic and fosite's (RFC 6749 §2.3.1) part ways.
//
// This is a module of its own so that fosite's dependencies stay out of the
// product's go.mod; it uses the product from this checkout (a replace
// directive in go.mod).
package interop

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/storage"
)

const (
	clientID    = "gotoauth-interop"
	redirectURI = "http://127.0.0.1:8765/callback"
	subject     = "interop-user"
)

// recorded is what the wrapping handler saw of one request, and what fosite answered.
type recorded struct {
	Method, Path string
	Query        url.Values
	Header       http.Header
	Form         url.Values // the parsed body of a POST
	Status       int
	RespHeader   http.Header // the answer's headers (Set-Cookie, Location...)
	RespBody     []byte      // the answer's body, its first MiB
}

// recorder wraps fosite's handlers and keeps every request, so the test can
// check on the server side what gotoauth actually sent.
type recorder struct {
	next http.Handler
	mu   sync.Mutex
	reqs []recorded
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e := recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()}
	if r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if r.Method == http.MethodPost {
			e.Form, _ = url.ParseQuery(string(body))
		}
	}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	rec.next.ServeHTTP(sw, r)
	e.Status, e.RespHeader, e.RespBody = sw.status, w.Header().Clone(), sw.body.Bytes()
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, e)
	rec.mu.Unlock()
}

func (rec *recorder) requests() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.reqs)
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
	body   bytes.Buffer // a copy of what was written, up to 1 MiB
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	if room := 1<<20 - w.body.Len(); room > 0 {
		w.body.Write(b[:min(len(b), room)])
	}
	return w.ResponseWriter.Write(b)
}

// newFosite builds the authorization server: the authorize-code, refresh and
// PKCE handlers over a memory store, PKCE S256 required of public clients,
// with the public client clientID registered. It returns the store and the
// configuration too, so that a test can register more clients (and hash
// their secrets with fosite's own hasher).
func newFosite(t *testing.T) (http.Handler, *storage.MemoryStore, *fosite.Config) {
	t.Helper()
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	config := &fosite.Config{
		GlobalSecret:                   secret,
		EnforcePKCEForPublicClients:    true,
		EnablePKCEPlainChallengeMethod: false,
		AccessTokenLifespan:            time.Hour,
		RefreshTokenLifespan:           24 * time.Hour,
		AuthorizeCodeLifespan:          5 * time.Minute,
		// The default, spelled out: offline_access is what earns a refresh token.
		RefreshTokenScopes: []string{"offline", "offline_access"},
		// Client secrets are stored as bcrypt hashes; the lowest cost keeps
		// each confidential client's authentication at about a millisecond
		// instead of a quarter of a second (the default cost is 12).
		HashCost: 4,
	}
	store := storage.NewMemoryStore()
	store.Clients[clientID] = &fosite.DefaultClient{
		ID:            clientID,
		Public:        true,
		RedirectURIs:  []string{redirectURI},
		ResponseTypes: []string{"code"},
		GrantTypes:    []string{"authorization_code", "refresh_token"},
		Scopes:        []string{"offline_access", "identity:scim.me"},
	}
	provider := compose.Compose(config, store, compose.NewOAuth2HMACStrategy(config),
		compose.OAuth2AuthorizeExplicitFactory,
		compose.OAuth2RefreshTokenGrantFactory,
		compose.OAuth2PKCEFactory,
	)

	mux := http.NewServeMux()
	// No login or consent UI: this handler stands in for a user who signs in
	// as subject and grants every requested scope.
	mux.HandleFunc("/oauth2/auth", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ar, err := provider.NewAuthorizeRequest(ctx, r)
		if err != nil {
			t.Logf("fosite refused the authorize request: %v", fosite.ErrorToRFC6749Error(err).WithExposeDebug(true).GetDescription())
			provider.WriteAuthorizeError(ctx, w, ar, err)
			return
		}
		for _, scope := range ar.GetRequestedScopes() {
			ar.GrantScope(scope)
		}
		resp, err := provider.NewAuthorizeResponse(ctx, ar, &fosite.DefaultSession{Subject: subject, Username: subject})
		if err != nil {
			t.Logf("fosite could not answer the authorize request: %v", fosite.ErrorToRFC6749Error(err).WithExposeDebug(true).GetDescription())
			provider.WriteAuthorizeError(ctx, w, ar, err)
			return
		}
		provider.WriteAuthorizeResponse(ctx, w, ar, resp)
	})
	mux.HandleFunc("/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ar, err := provider.NewAccessRequest(ctx, r, &fosite.DefaultSession{})
		if err != nil {
			// Expected for the refusals the driver provokes; logged to explain a failure.
			t.Logf("fosite refused a token request: %s", fosite.ErrorToRFC6749Error(err).WithExposeDebug(true).GetDescription())
			provider.WriteAccessError(ctx, w, ar, err)
			return
		}
		resp, err := provider.NewAccessResponse(ctx, ar)
		if err != nil {
			t.Logf("fosite could not answer a token request: %s", fosite.ErrorToRFC6749Error(err).WithExposeDebug(true).GetDescription())
			provider.WriteAccessError(ctx, w, ar, err)
			return
		}
		provider.WriteAccessResponse(ctx, w, ar, resp)
	})
	return mux, store, config
}

// driverResult is the one JSON line interop_driver.mjs prints; it never
// carries a token value.
type driverResult struct {
	AccessToken         bool     `json:"accessToken"`
	TokenType           string   `json:"tokenType"`
	ExpiresIn           float64  `json:"expiresIn"`
	Scope               []string `json:"scope"`
	RefreshToken        bool     `json:"refreshToken"`
	Refreshed           bool     `json:"refreshed"`
	RefreshedTokenType  string   `json:"refreshedTokenType"`
	RefreshedExpiresIn  float64  `json:"refreshedExpiresIn"`
	RefreshedScope      []string `json:"refreshedScope"`
	RefreshTokenRotated bool     `json:"refreshTokenRotated"`
	Errors              struct {
		SecondExchange   string `json:"secondExchange"`
		ReplayedRedirect string `json:"replayedRedirect"`
		BogusRefresh     string `json:"bogusRefresh"`
		ReusedRefresh    string `json:"reusedRefresh"`
	} `json:"errors"`
}

func TestFositeCodeFlowWithPKCEAndRefresh(t *testing.T) {
	fositeHandler, _, _ := newFosite(t)
	rec := &recorder{next: fositeHandler}
	srv := newLoopbackServer(t, rec)

	var got driverResult
	line, _ := runDriver(t, &got, "interop_driver.mjs", srv.URL)
	t.Logf("driver: %s", line)

	// What gotoauth made of fosite's answers.
	if !got.AccessToken {
		t.Error("the code exchange gave no access token")
	}
	if got.TokenType != "Bearer" {
		t.Errorf("tokenType = %q, want Bearer (fosite sends %q)", got.TokenType, "bearer")
	}
	if got.ExpiresIn <= 0 {
		t.Errorf("expiresIn = %v, want > 0", got.ExpiresIn)
	}
	if !slices.Contains(got.Scope, "identity:scim.me") || !slices.Contains(got.Scope, "offline_access") {
		t.Errorf("scope = %q, want identity:scim.me and offline_access", got.Scope)
	}
	if !got.RefreshToken {
		t.Error("the code exchange gave no refresh token")
	}
	if !got.Refreshed {
		t.Error("the refresh did not produce a new access token")
	}
	if got.RefreshedTokenType != "Bearer" || got.RefreshedExpiresIn <= 0 || !slices.Contains(got.RefreshedScope, "identity:scim.me") {
		t.Errorf("refreshed token: tokenType %q, expiresIn %v, scope %q", got.RefreshedTokenType, got.RefreshedExpiresIn, got.RefreshedScope)
	}
	if !got.RefreshTokenRotated {
		t.Error("fosite rotates refresh tokens, but gotoauth did not report the new one")
	}
	for _, c := range []struct{ what, got, want string }{
		{"a second exchangeCode of the same result", got.Errors.SecondExchange, "code_already_used"},
		{"a replayed handleRedirect", got.Errors.ReplayedRedirect, "state_mismatch"},
		{"a refresh with a bogus refresh token", got.Errors.BogusRefresh, "reauthenticate"},
		{"a refresh with the rotated-out refresh token", got.Errors.ReusedRefresh, "reauthenticate"},
	} {
		if c.got != c.want {
			t.Errorf("%s: code %q, want %q", c.what, c.got, c.want)
		}
	}

	// What fosite saw.
	var authorizes, exchanges, refreshes []recorded
	for _, r := range rec.requests() {
		switch {
		case r.Path == "/oauth2/auth":
			authorizes = append(authorizes, r)
		case r.Path == "/oauth2/token" && r.Form.Get("grant_type") == "authorization_code":
			exchanges = append(exchanges, r)
		case r.Path == "/oauth2/token" && r.Form.Get("grant_type") == "refresh_token":
			refreshes = append(refreshes, r)
		default:
			t.Errorf("unexpected request: %s %s (grant_type %q)", r.Method, r.Path, r.Form.Get("grant_type"))
		}
	}
	if len(authorizes) != 1 {
		t.Fatalf("%d authorize requests, want 1", len(authorizes))
	}
	a := authorizes[0]
	if a.Method != http.MethodGet {
		t.Errorf("authorize method %s, want GET", a.Method)
	}
	for name, want := range map[string]string{
		"response_type": "code", "client_id": clientID, "redirect_uri": redirectURI,
		"code_challenge_method": "S256", "scope": "offline_access identity:scim.me",
	} {
		if got := a.Query.Get(name); got != want {
			t.Errorf("authorize %s = %q, want %q", name, got, want)
		}
	}
	if a.Query.Get("state") == "" || a.Query.Get("code_challenge") == "" {
		t.Error("the authorize request has no state or no code_challenge")
	}
	if a.Status != http.StatusSeeOther && a.Status != http.StatusFound {
		t.Errorf("fosite answered the authorize request with %d, want a redirect", a.Status)
	}

	// Exactly one code exchange: the second exchangeCode must not have been sent.
	if len(exchanges) != 1 {
		t.Fatalf("%d authorization_code token requests, want 1 (codes are sent once)", len(exchanges))
	}
	x := exchanges[0]
	checkTokenRequest(t, "code exchange", x)
	for _, name := range []string{"code", "code_verifier", "redirect_uri"} {
		if len(x.Form[name]) != 1 || x.Form.Get(name) == "" {
			t.Errorf("code exchange: %s sent %d times or empty", name, len(x.Form[name]))
		}
	}
	if x.Form.Get("redirect_uri") != redirectURI {
		t.Errorf("code exchange: redirect_uri %q, want %q", x.Form.Get("redirect_uri"), redirectURI)
	}
	sum := sha256.Sum256([]byte(x.Form.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != a.Query.Get("code_challenge") {
		t.Error("the code_verifier sent does not hash (S256) to the code_challenge of the authorize request")
	}
	if x.Status != http.StatusOK {
		t.Errorf("fosite answered the code exchange with %d, want 200", x.Status)
	}

	// The good refresh, the bogus one and the reused one, in that order.
	if len(refreshes) != 3 {
		t.Fatalf("%d refresh_token token requests, want 3", len(refreshes))
	}
	for i, r := range refreshes {
		checkTokenRequest(t, "refresh", r)
		if r.Form.Get("refresh_token") == "" {
			t.Errorf("refresh %d: no refresh_token", i)
		}
		if r.Form.Has("code_verifier") || r.Form.Has("code") {
			t.Errorf("refresh %d carries code parameters", i)
		}
	}
	for i, want := range []int{http.StatusOK, http.StatusBadRequest, http.StatusBadRequest} {
		if refreshes[i].Status != want {
			t.Errorf("fosite answered refresh %d with %d, want %d", i, refreshes[i].Status, want)
		}
	}

	// The pass above is not vacuous: this fosite refuses a public client's
	// authorize request without PKCE, or with the plain method.
	for _, c := range []struct{ what, challenge, method string }{
		{"no PKCE", "", ""},
		{"PKCE plain", strings.Repeat("p", 43), "plain"},
	} {
		q := url.Values{
			"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirectURI},
			"scope": {"identity:scim.me"}, "state": {strings.Repeat("s", 32)},
		}
		if c.challenge != "" {
			q.Set("code_challenge", c.challenge)
			q.Set("code_challenge_method", c.method)
		}
		if e := authorizeError(t, srv.URL+"/oauth2/auth?"+q.Encode()); e != "invalid_request" {
			t.Errorf("fosite's answer to an authorize request with %s: error %q, want invalid_request", c.what, e)
		}
	}
}

// newLoopbackServer starts an httptest server on 127.0.0.1, closed when the
// test ends.
func newLoopbackServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h) // 127.0.0.1:0
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("the server listens on %s, not on 127.0.0.1", srv.URL)
	}
	return srv
}

// runDriver runs `node script args...` in this directory against the
// built module, within 60 seconds, and decodes the last line it printed
// into result. It returns that line and everything the process wrote,
// stdout and stderr, for the test to scan for secrets.
func runDriver(t *testing.T, result any, script string, args ...string) (line, output string) {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not on PATH (%v): install Node 20 and run `make build` at the repository root first", err)
	}
	for _, f := range []string{"gotoauth.wasm", "gotoauth-glue.mjs", "gotoauth-node.js"} {
		if _, err := os.Stat(filepath.Join(dir, "..", "..", f)); err != nil {
			t.Fatalf("web/%s is missing (%v): run `make build` at the repository root first", f, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{script}, args...)...)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("%s did not finish within 60s\nstderr:\n%s", script, stderr.String())
	}
	if runErr != nil {
		t.Fatalf("node %s failed: %v\nstderr:\n%s\nstdout:\n%s", script, runErr, stderr.String(), stdout.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	line = lines[len(lines)-1]
	if err := json.Unmarshal([]byte(line), result); err != nil {
		t.Fatalf("the output of %s is not the expected JSON line: %v\n%s", script, err, stdout.String())
	}
	return line, stdout.String() + stderr.String()
}

// authorizeError GETs an authorize URL and returns the error its redirect carries.
func authorizeError(t *testing.T, u string) string {
	t.Helper()
	hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode < 300 || resp.StatusCode > 399 {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query().Get("error")
}

// checkTokenRequest: a public client's form POST, identified by client_id
// in the body and never by an Authorization header.
func checkTokenRequest(t *testing.T, what string, r recorded) {
	t.Helper()
	if r.Method != http.MethodPost {
		t.Errorf("%s: method %s, want POST", what, r.Method)
	}
	if h := r.Header.Values("Authorization"); len(h) != 0 {
		t.Errorf("%s: sent an Authorization header", what)
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		t.Errorf("%s: Content-Type %q, want application/x-www-form-urlencoded", what, r.Header.Get("Content-Type"))
	}
	if got := r.Form["client_id"]; len(got) != 1 || got[0] != clientID {
		t.Errorf("%s: client_id %q, want [%q]", what, got, clientID)
	}
	if r.Form.Has("client_secret") {
		t.Errorf("%s: sent a client_secret", what)
	}
	if len(r.Query) != 0 {
		t.Errorf("%s: parameters in the query string: %v", what, slices.Sorted(maps.Keys(r.Query)))
	}
}
