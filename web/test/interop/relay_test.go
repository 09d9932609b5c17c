package interop

// The code flow's backend half through the real token relay (gotoauth/web/relay)
// against fosite, with a confidential client: the page side is the built
// module under Node (relay_driver.mjs), the relay holds the client secret and
// the refresh token, and fosite authenticates the relay with HTTP Basic.
//
// # GoTo's HTTP Basic and RFC 6749 §2.3.1
//
// GoTo's guides ("How to obtain an access token") build the Basic header from
// client_id:client_secret as they are, Base64 and nothing else. That is what
// the relay sends (client.BasicAuth in wasm/client) and what gotoauth's
// emulator insists on. RFC 6749 §2.3.1 says each part is first encoded with
// application/x-www-form-urlencoded, and fosite v0.49.0 decodes accordingly:
// clientCredentialsFromRequest in client_authentication.go takes
// r.BasicAuth() and passes the id and the secret through url.QueryUnescape
// before comparing the secret with the client's bcrypt hash
// (checkClientSecret). So in a raw secret '+' becomes a space, "%XX" becomes
// one byte and a stray '%' is an invalid_request, while '/' and '=' (and
// letters, digits, '-', '.', '_', '~') come through unchanged.
//
// So fosite reads GoTo's raw header right for a secret without '+' or '%'
// (and an RFC-encoded one too: "%2F" and "%3D" decode to '/' and '='), but
// reads GoTo's own example secret, which holds '+', as another secret; the
// other way round, a server that takes the header as it is, as GoTo's guides
// and the emulator do, would refuse an RFC-encoded '/', '=' or '+'. The flow
// below uses a secret holding '/' and '=' but no '+', registered in fosite
// byte for byte as the relay sends it: nothing is translated on either side.
// TestFositeDecodesBasicCredentials pins the divergence instead of hiding it:
// with a '+' secret registered as issued, fosite refuses the relay's
// GoTo-style header (invalid_client) and accepts the RFC-encoded one.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/storage"

	"gotoauth/wasm/client"
	"gotoauth/wasm/relayapi"
	"gotoauth/web/relay"
)

const (
	confidentialID = "gotoauth-interop-confidential"
	// confidentialSecret holds '/' and '=' like GoTo's secrets, and no '+'
	// or '%', the characters on which GoTo's Basic form and RFC 6749
	// §2.3.1's differ (see the comment at the top of this file).
	confidentialSecret = "interop/Confidential/s3cret=="
	// gotoStyleSecret is shaped like GoTo's example secret: '+', '/', '='.
	gotoStyleSecret = "gotoauth+interop/secret+2=="
)

// registerConfidential adds a confidential client to fosite's store, its
// secret hashed with fosite's own hasher, as fosite stores secrets. Called
// before fosite's server starts: the store's map is not written under its
// lock.
func registerConfidential(t *testing.T, store *storage.MemoryStore, config *fosite.Config, id, secret string, redirectURIs ...string) {
	t.Helper()
	hash, err := config.GetSecretsHasher(t.Context()).Hash(t.Context(), []byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	store.Clients[id] = &fosite.DefaultClient{
		ID:            id,
		Secret:        hash,
		RedirectURIs:  redirectURIs,
		ResponseTypes: []string{"code"},
		GrantTypes:    []string{"authorization_code", "refresh_token"},
		Scopes:        []string{"offline_access", "identity:scim.me"},
	}
}

// testLog writes the relay's log lines to the test's log.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// relayDriverResult is the one JSON line relay_driver.mjs prints; it never
// carries a token value.
type relayDriverResult struct {
	AccessToken  bool     `json:"accessToken"`
	TokenType    string   `json:"tokenType"`
	ExpiresIn    float64  `json:"expiresIn"`
	Scope        []string `json:"scope"`
	RefreshToken bool     `json:"refreshToken"` // must be false: the relay keeps it
	Refreshes    []struct {
		AccessToken    bool    `json:"accessToken"`
		NewAccessToken bool    `json:"newAccessToken"`
		RefreshToken   bool    `json:"refreshToken"`
		TokenType      string  `json:"tokenType"`
		ExpiresIn      float64 `json:"expiresIn"`
	} `json:"refreshes"`
	AfterSignOut string `json:"afterSignOut"`
	Cookies      struct {
		AfterExchange int `json:"afterExchange"`
		AfterRefresh  int `json:"afterRefresh"`
		AfterSignOut  int `json:"afterSignOut"`
	} `json:"cookies"`
	Relay []struct {
		Path                 string `json:"path"`
		Status               int    `json:"status"`
		Cookie               bool   `json:"cookie"`
		SetCookieVisible     bool   `json:"setCookieVisible"`
		RefreshTokenInAnswer bool   `json:"refreshTokenInAnswer"`
	} `json:"relay"`
}

func TestFositeCodeFlowThroughRelayWithConfidentialClient(t *testing.T) {
	// The page's origin, where the relay is mounted (below): the module
	// calls the relay same-origin, with credentials: "same-origin".
	mux := http.NewServeMux()
	page := newLoopbackServer(t, mux)
	pageRedirect := page.URL + "/callback"

	fositeHandler, store, config := newFosite(t)
	registerConfidential(t, store, config, confidentialID, confidentialSecret, pageRedirect)
	fositeRec := &recorder{next: fositeHandler}
	fositeSrv := newLoopbackServer(t, fositeRec)

	key := make([]byte, relay.KeySize)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	rl, err := relay.New(relay.Config{
		ClientID:       confidentialID,
		ClientSecret:   confidentialSecret,
		TokenEndpoint:  fositeSrv.URL + "/oauth2/token",
		AllowedOrigins: []string{page.URL},
		CookieKey:      key,
		Logger:         log.New(testLog{t}, "", 0),
		Timeout:        10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	relayRec := &recorder{next: http.StripPrefix("/relay", rl)}
	mux.Handle(relay.Path, relayRec)

	var got relayDriverResult
	line, output := runDriver(t, &got, "relay_driver.mjs", fositeSrv.URL, page.URL)
	t.Logf("driver: %s", line)

	// What the page got.
	if !got.AccessToken || got.TokenType != "Bearer" || got.ExpiresIn <= 0 {
		t.Errorf("exchangeCode through the relay: accessToken %v, tokenType %q, expiresIn %v", got.AccessToken, got.TokenType, got.ExpiresIn)
	}
	if !slices.Contains(got.Scope, "identity:scim.me") || !slices.Contains(got.Scope, "offline_access") {
		t.Errorf("scope = %q, want identity:scim.me and offline_access", got.Scope)
	}
	if got.RefreshToken {
		t.Error("the token exchangeCode resolved to through the relay has a refreshToken")
	}
	if len(got.Refreshes) != 2 {
		t.Fatalf("the driver reports %d refreshes, want 2", len(got.Refreshes))
	}
	for i, r := range got.Refreshes {
		if !r.AccessToken || !r.NewAccessToken || r.RefreshToken || r.TokenType != "Bearer" || r.ExpiresIn <= 0 {
			t.Errorf("refresh %d: accessToken %v, new %v, refreshToken %v, tokenType %q, expiresIn %v",
				i, r.AccessToken, r.NewAccessToken, r.RefreshToken, r.TokenType, r.ExpiresIn)
		}
	}
	if got.AfterSignOut != "reauthenticate" {
		t.Errorf("refresh() after signOut(): %q, want reauthenticate", got.AfterSignOut)
	}
	if c := got.Cookies; c.AfterExchange != 1 || c.AfterRefresh != 1 || c.AfterSignOut != 0 {
		t.Errorf("cookies the stand-in browser held: %d after the exchange, %d after the refreshes, %d after signOut; want 1, 1, 0",
			c.AfterExchange, c.AfterRefresh, c.AfterSignOut)
	}

	// What fosite saw: one authorize, one code exchange and exactly one
	// refresh_token grant per successful refresh (none for the refresh
	// after signOut, which the relay answers itself), all from the relay
	// with GoTo's Basic header.
	basic := client.BasicAuth(confidentialID, confidentialSecret)
	var authorizes, exchanges, refreshes []recorded
	for _, r := range fositeRec.requests() {
		switch {
		case r.Path == "/oauth2/auth":
			authorizes = append(authorizes, r)
		case r.Path == "/oauth2/token" && r.Form.Get("grant_type") == "authorization_code":
			exchanges = append(exchanges, r)
		case r.Path == "/oauth2/token" && r.Form.Get("grant_type") == "refresh_token":
			refreshes = append(refreshes, r)
		default:
			t.Errorf("unexpected request at fosite: %s %s (grant_type %q)", r.Method, r.Path, r.Form.Get("grant_type"))
		}
	}
	if len(authorizes) != 1 || len(exchanges) != 1 || len(refreshes) != 2 {
		t.Fatalf("fosite saw %d authorize requests, %d code exchanges and %d refreshes; want 1, 1 and 2 (one per refresh)",
			len(authorizes), len(exchanges), len(refreshes))
	}
	a := authorizes[0]
	for name, want := range map[string]string{
		"response_type": "code", "client_id": confidentialID, "redirect_uri": pageRedirect, "code_challenge_method": "S256",
	} {
		if got := a.Query.Get(name); got != want {
			t.Errorf("authorize %s = %q, want %q", name, got, want)
		}
	}
	var issued []string // every refresh token fosite issued, in order
	for i, r := range append([]recorded{exchanges[0]}, refreshes...) {
		what := "the code exchange"
		if i > 0 {
			what = fmt.Sprintf("refresh %d", i)
		}
		if r.Status != http.StatusOK {
			t.Fatalf("fosite answered %s with %d", what, r.Status)
		}
		if h := r.Header.Values("Authorization"); len(h) != 1 || h[0] != basic {
			t.Errorf("%s: Authorization is not GoTo's Basic header for the confidential client", what)
		}
		if r.Form.Has("client_secret") || len(r.Query) != 0 {
			t.Errorf("%s: a client_secret in the body or parameters in the query", what)
		}
		var answer struct {
			RefreshToken string `json:"refresh_token"`
		}
		if err := json.Unmarshal(r.RespBody, &answer); err != nil || answer.RefreshToken == "" {
			t.Fatalf("fosite's answer to %s has no refresh_token (%v)", what, err)
		}
		if i > 0 && r.Form.Get("refresh_token") != issued[i-1] {
			t.Errorf("%s did not send the refresh token fosite issued last (the relay's cookie was not replaced on rotation)", what)
		}
		issued = append(issued, answer.RefreshToken)
	}
	x := exchanges[0]
	sum := sha256.Sum256([]byte(x.Form.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != a.Query.Get("code_challenge") {
		t.Error("the code_verifier the relay sent does not hash (S256) to the code_challenge of the authorize request")
	}
	if x.Form.Get("redirect_uri") != pageRedirect || x.Form.Get("code") == "" {
		t.Errorf("code exchange: redirect_uri %q, code sent %v", x.Form.Get("redirect_uri"), x.Form.Get("code") != "")
	}

	// What the relay answered: no refresh_token member, no refresh token
	// anywhere in a body or a header (the cookie holds it sealed), and the
	// cookie's attributes.
	var paths []string
	for _, r := range relayRec.requests() {
		paths = append(paths, r.Path)
		if r.Header.Get("Origin") != page.URL || r.Header.Get(relayapi.Header) != "1" {
			t.Errorf("relay %s: Origin %q, %s %q", r.Path, r.Header.Get("Origin"), relayapi.Header, r.Header.Get(relayapi.Header))
		}
		if len(r.RespBody) > 0 {
			var m map[string]any
			if err := json.Unmarshal(r.RespBody, &m); err != nil {
				t.Errorf("relay %s answered %d with a body that is not a JSON object", r.Path, r.Status)
			} else if _, ok := m["refresh_token"]; ok {
				t.Errorf("relay %s answered with a refresh_token member", r.Path)
			}
		}
		headers, _ := json.Marshal(r.RespHeader)
		for _, rt := range issued {
			if bytes.Contains(r.RespBody, []byte(rt)) || bytes.Contains(headers, []byte(rt)) {
				t.Errorf("relay %s: a refresh token in the answer", r.Path)
			}
		}
		var cookies []*http.Cookie
		for _, sc := range r.RespHeader.Values("Set-Cookie") {
			c, err := http.ParseSetCookie(sc)
			if err != nil {
				t.Errorf("relay %s: Set-Cookie %v", r.Path, err)
				continue
			}
			cookies = append(cookies, c)
			if c.Name != relay.CookieName || c.Path != relay.Path || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
				t.Errorf("relay %s: cookie %q, Path %q, HttpOnly %v, SameSite %v", r.Path, c.Name, c.Path, c.HttpOnly, c.SameSite)
			}
		}
		set := len(cookies) == 1 && cookies[0].MaxAge > 0 && cookies[0].Value != ""
		cleared := len(cookies) == 1 && cookies[0].MaxAge < 0
		sent := len(r.Header.Values("Cookie")) != 0
		switch {
		case r.Path == "/relay/token":
			if r.Status != http.StatusOK || !set || sent {
				t.Errorf("relay /token answered %d, cookie set %v, cookie sent %v; want 200, a new cookie, none sent", r.Status, set, sent)
			}
		case r.Path == "/relay/refresh" && r.Status == http.StatusOK:
			// fosite rotates the refresh token on every refresh.
			if !set || !sent {
				t.Errorf("relay /refresh: cookie set %v, cookie sent %v; want both", set, sent)
			}
		case r.Path == "/relay/signout":
			if r.Status != http.StatusNoContent || !cleared || !sent {
				t.Errorf("relay /signout answered %d, cookie cleared %v, cookie sent %v; want 204, both", r.Status, cleared, sent)
			}
		case r.Path == "/relay/refresh":
			if r.Status != http.StatusUnauthorized || sent {
				t.Errorf("relay /refresh after signOut answered %d, cookie sent %v; want 401 without a cookie", r.Status, sent)
			}
		}
	}
	if want := []string{"/relay/token", "/relay/refresh", "/relay/refresh", "/relay/signout", "/relay/refresh"}; !slices.Equal(paths, want) {
		t.Errorf("the relay saw %q, want %q", paths, want)
	}
	if len(got.Relay) != 5 {
		t.Errorf("the driver saw %d relay answers, want 5", len(got.Relay))
	}
	for _, r := range got.Relay {
		if r.SetCookieVisible || r.RefreshTokenInAnswer {
			t.Errorf("driver, relay %s: Set-Cookie visible to the page %v, refresh_token in the answer %v",
				r.Path, r.SetCookieVisible, r.RefreshTokenInAnswer)
		}
	}

	// Nothing secret reached the page's process.
	for _, rt := range issued {
		if strings.Contains(output, rt) {
			t.Error("a refresh token appears in the driver's output")
		}
	}
	if strings.Contains(output, confidentialSecret) {
		t.Error("the client secret appears in the driver's output")
	}
}

// TestFositeDecodesBasicCredentials documents the known divergence between
// GoTo's HTTP Basic and RFC 6749 §2.3.1 (see the top of this file) with a
// secret shaped like GoTo's example, holding '+', '/' and '=', registered in
// fosite as it was issued:
//
//   - the relay's GoTo-style header (the raw secret) is refused,
//     invalid_client: fosite's url.QueryUnescape turned '+' into ' ';
//   - the RFC 6749 §2.3.1 header (each part form-encoded, '+' as "%2B") is
//     accepted: the same request fails only on its bogus code, invalid_grant;
//   - and fosite's decoding is exactly that: a client registered with the
//     secret as fosite decodes the raw header (' ' for '+') accepts the
//     relay's header.
//
// gotoauth keeps GoTo's form, the one GoTo documents and its emulator
// demands; against an RFC-strict server a secret with '+' (or '%') would
// fail, one without them works either way.
func TestFositeDecodesBasicCredentials(t *testing.T) {
	const (
		asIssuedID  = "gotoauth-interop-plus"
		asDecodedID = "gotoauth-interop-plus-decoded"
		origin      = "http://127.0.0.1:1"
		redirect    = origin + "/callback"
	)
	decoded, err := url.QueryUnescape(gotoStyleSecret)
	if err != nil || decoded != strings.ReplaceAll(gotoStyleSecret, "+", " ") {
		t.Fatalf("QueryUnescape(%q) = %q, %v", gotoStyleSecret, decoded, err)
	}
	fositeHandler, store, config := newFosite(t)
	registerConfidential(t, store, config, asIssuedID, gotoStyleSecret, redirect)
	registerConfidential(t, store, config, asDecodedID, decoded, redirect)
	fositeRec := &recorder{next: fositeHandler}
	fositeSrv := newLoopbackServer(t, fositeRec)
	tokenURL := fositeSrv.URL + "/oauth2/token"

	// viaRelay redeems a bogus code through a real relay configured with
	// id and gotoStyleSecret, and returns the relay's status and error.
	viaRelay := func(id string) (int, string) {
		rl, err := relay.New(relay.Config{
			ClientID: id, ClientSecret: gotoStyleSecret, TokenEndpoint: tokenURL,
			AllowedOrigins: []string{origin}, CookieKey: make([]byte, relay.KeySize),
			Logger: log.New(testLog{t}, "", 0), Timeout: 10 * time.Second,
		})
		if err != nil {
			t.Fatal(err)
		}
		body := url.Values{"code": {"bogus-code"}, "redirect_uri": {redirect}, "code_verifier": {strings.Repeat("v", 43)}}
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:1/relay/token", strings.NewReader(body.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		req.Header.Set(relayapi.Header, "1")
		w := httptest.NewRecorder()
		http.StripPrefix("/relay", rl).ServeHTTP(w, req)
		return w.Code, oauthError(t, w.Body.Bytes())
	}

	// The relay's header, GoTo's form, for the secret as issued: refused.
	if status, e := viaRelay(asIssuedID); status != http.StatusUnauthorized || e != "invalid_client" {
		t.Errorf("fosite's answer to GoTo's Basic form of a secret with '+': %d %q, want 401 invalid_client", status, e)
	}
	// The RFC 6749 §2.3.1 form of the same credentials: the client is
	// authenticated, and only the bogus code is refused.
	form := url.Values{"grant_type": {"authorization_code"}, "code": {"bogus-code"}, "redirect_uri": {redirect}}
	req, err := http.NewRequest(http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(asIssuedID), url.QueryEscape(gotoStyleSecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var answer bytes.Buffer
	answer.ReadFrom(resp.Body)
	resp.Body.Close()
	if e := oauthError(t, answer.Bytes()); resp.StatusCode != http.StatusBadRequest || e != "invalid_grant" {
		t.Errorf("fosite's answer to the RFC 6749 §2.3.1 form of a secret with '+': %d %q, want 400 invalid_grant", resp.StatusCode, e)
	}
	// The relay's header again, for a client whose registered secret is
	// what fosite decodes from it: accepted, so the difference is exactly
	// fosite's url.QueryUnescape.
	if status, e := viaRelay(asDecodedID); status != http.StatusBadRequest || e != "invalid_grant" {
		t.Errorf("fosite's answer to GoTo's Basic form, secret registered as fosite decodes it: %d %q, want 400 invalid_grant", status, e)
	}

	// And fosite saw the headers claimed above.
	var auths []string
	for _, r := range fositeRec.requests() {
		auths = append(auths, r.Header.Get("Authorization"))
	}
	want := []string{
		client.BasicAuth(asIssuedID, gotoStyleSecret),
		"Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(asIssuedID)+":"+url.QueryEscape(gotoStyleSecret))),
		client.BasicAuth(asDecodedID, gotoStyleSecret),
	}
	if !slices.Equal(auths, want) {
		t.Errorf("fosite saw Authorization headers %q, want %q", auths, want)
	}
	if want[0] == want[1] {
		t.Error("GoTo's form and RFC 6749 §2.3.1's coincide for this secret: the test proves nothing")
	}
}

// oauthError returns the error member of an RFC 6749 §5.2 body.
func oauthError(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Errorf("not an OAuth error body: %v: %.200s", err, body)
	}
	return e.Error
}
