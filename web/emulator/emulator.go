// Package emulator is a local stand-in for GoTo's OAuth server
// (authentication.logmeininc.com), its retired GoToConnect predecessor
// (auth.jive.com/oauth2/v2) and the SCIM /me endpoint of api.getgo.com.
//
// It exists so that the gotoauth library, its demo and its browser tests can
// run a complete sign-in without a GoTo developer account or network access.
// Where GoTo's behaviour is documented (see shared/goto-reference.md) the
// emulator copies it, including its quirks: token responses without a
// refresh_token until the old one is about to expire, the "unsupported.jwt"
// error for GoToConnect refresh tokens and the GoToConnect fragment format.
// Everything else follows RFC 6749, RFC 7636 and RFC 8252, on the strict side,
// so that a client that works against the emulator does not rely on leniency.
//
// The handler is meant to be mounted under a prefix, for example
//
//	mux.Handle("/goto/", http.StripPrefix("/goto", emulator.New(emulator.Config{})))
//
// and then serves, inside the prefix:
//
//	GET  /oauth/authorize             consent page (today's path)
//	GET  /oauth2/v2/grant             consent page (GoToConnect path)
//	POST /oauth/authorize/decision    the consent form's target
//	POST /oauth/token                 token endpoint (today's JSON shape)
//	POST /oauth2/v2/token             token endpoint (GoToConnect JSON shape)
//	GET  /identity/v1/Users/me        SCIM /me
//	POST /_emulator/age-refresh-token test control: refresh token has 1h left
//	POST /_emulator/expire-access-token test control: access token expires now
//
// All state lives in memory, behind one mutex, with caps on every table.
package emulator

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Default client credentials, exported so that other test suites and the demo
// can refer to them instead of repeating string literals.
const (
	// DemoClientID is a public client: no secret, PKCE required on the code
	// flow, any http loopback redirect URI.
	DemoClientID = "gotoauth-demo"
	// BackendClientID is a confidential client that authenticates with
	// HTTP Basic, any http loopback redirect URI.
	BackendClientID = "gotoauth-backend"
	// BackendClientSecret is BackendClientID's secret.
	BackendClientSecret = "gotoauth-backend-secret"
	// DefaultScope is granted when an authorization request names no scope.
	DefaultScope = "identity:scim.me"
)

// Lifetimes. GoTo documents 3600 s access tokens and roughly 30 day refresh
// tokens; the code and consent lifetimes are the emulator's own choice.
const (
	requestLifetime   = 10 * time.Minute
	codeLifetime      = 2 * time.Minute
	usedCodeRetention = 10 * time.Minute // remember used codes to detect replays
	accessLifetime    = time.Hour
	refreshLifetime   = 30 * 24 * time.Hour
	rotateWindow      = 24 * time.Hour // rotate refresh tokens with less left
	agedRefreshLife   = time.Hour      // what /_emulator/age-refresh-token leaves
)

// Bounds that keep a long-running emulator's memory flat.
const (
	maxBody     = 64 << 10
	maxPending  = 1024
	maxCodes    = 1024
	maxTokens   = 16384
	maxScopeLen = 2048
	maxURILen   = 2048
	legacyToken = "jive-" // prefix of tokens issued on the GoToConnect paths
)

// Client is a registered OAuth client.
type Client struct {
	// ID is the client_id.
	ID string
	// Secret is the client secret; empty means a public client, which must
	// use PKCE on the code flow and must not authenticate.
	Secret string
	// RedirectURIs are matched exactly. Empty means any http loopback
	// redirect URI (127.0.0.1, localhost or [::1], any port and path), as
	// RFC 8252 §7.3 asks for native and local apps.
	RedirectURIs []string
}

// Account is an entry of the getgo SCIM extension's accounts array.
type Account struct {
	Value        string
	Display      string
	Entitlements []string
}

// User is the single signed-in user the emulator knows.
type User struct {
	ID          string // SCIM id, the legacy organizer key
	UserName    string // usually the email
	Email       string // the token responses' principal / username
	GivenName   string
	FamilyName  string
	DisplayName string
	Locale      string
	Timezone    string
	Created     time.Time
	Accounts    []Account
}

// Config configures an Emulator. Every zero field gets a default.
type Config struct {
	// Clients defaults to DefaultClients().
	Clients []Client
	// AllowedOrigins lists the origins that get CORS headers on the token,
	// /me and control endpoints. Empty means any http loopback origin.
	AllowedOrigins []string
	// Now defaults to time.Now; tests pass a fake clock.
	Now func() time.Time
	// User defaults to DefaultUser() when its ID is empty.
	User User
}

// DefaultClients returns the public demo client and the confidential backend
// client.
func DefaultClients() []Client {
	return []Client{
		{ID: DemoClientID},
		{ID: BackendClientID, Secret: BackendClientSecret},
	}
}

// DefaultUser returns the demo user of GoTo's own migration guide.
func DefaultUser() User {
	return User{
		ID:          "8439885694023999999",
		UserName:    "mister.jones@fakemail.com",
		Email:       "mister.jones@fakemail.com",
		GivenName:   "Moon",
		FamilyName:  "Beam",
		DisplayName: "Moon Beam",
		Locale:      "en_US",
		Timezone:    "America/New_York",
		Created:     time.Date(2018, 4, 1, 12, 0, 0, 0, time.UTC),
		Accounts: []Account{{
			Value:        "9999982253621659654",
			Display:      "Beam Corp",
			Entitlements: []string{"acctadmin", "gotoconnect"},
		}},
	}
}

// Emulator is the http.Handler. Create it with New.
type Emulator struct {
	clients map[string]Client
	origins map[string]bool // nil: any http loopback origin
	now     func() time.Time
	user    User

	mu      sync.Mutex
	pending map[string]*authRequest
	codes   map[string]*authCode
	access  map[string]*token
	refresh map[string]*token
}

// authRequest is an authorization request waiting for the user's decision.
type authRequest struct {
	clientID      string
	redirectURI   string
	redirectGiven bool
	responseType  string
	scope         []string
	state         string
	hasState      bool
	challenge     string
	method        string
	legacy        bool
	expires       time.Time
}

func (a *authRequest) expiry() time.Time { return a.expires }

// authCode is an issued authorization code. It is kept after use (until
// keepUntil) so that a replay can be detected and its tokens revoked.
type authCode struct {
	clientID      string
	redirectURI   string
	redirectGiven bool
	scope         []string
	challenge     string
	method        string
	grant         string // family id shared with the tokens it produced
	expires       time.Time
	keepUntil     time.Time
	used          bool
}

func (c *authCode) expiry() time.Time { return c.keepUntil }

// token is an access or refresh token.
type token struct {
	clientID string
	scope    []string
	grant    string
	expires  time.Time
}

func (t *token) expiry() time.Time { return t.expires }

// New returns an Emulator for cfg.
func New(cfg Config) *Emulator {
	e := &Emulator{
		clients: make(map[string]Client),
		now:     cfg.Now,
		user:    cfg.User,
		pending: make(map[string]*authRequest),
		codes:   make(map[string]*authCode),
		access:  make(map[string]*token),
		refresh: make(map[string]*token),
	}
	clients := cfg.Clients
	if len(clients) == 0 {
		clients = DefaultClients()
	}
	for _, c := range clients {
		c.RedirectURIs = append([]string(nil), c.RedirectURIs...)
		e.clients[c.ID] = c
	}
	if len(cfg.AllowedOrigins) > 0 {
		e.origins = make(map[string]bool)
		for _, o := range cfg.AllowedOrigins {
			e.origins[o] = true
		}
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.user.ID == "" {
		e.user = DefaultUser()
	}
	return e
}

// ServeHTTP routes the request to one of the endpoints listed in the package
// documentation.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")

	switch r.URL.Path {
	case "/oauth/authorize":
		e.authorize(w, r, false)
	case "/oauth2/v2/grant":
		e.authorize(w, r, true)
	case "/oauth/authorize/decision":
		e.decision(w, r)
	case "/oauth/token":
		e.withCORS(w, r, func() { e.token(w, r, false) })
	case "/oauth2/v2/token":
		e.withCORS(w, r, func() { e.token(w, r, true) })
	case "/identity/v1/Users/me":
		e.withCORS(w, r, func() { e.me(w, r) })
	case "/_emulator/age-refresh-token":
		e.withCORS(w, r, func() { e.control(w, r, true) })
	case "/_emulator/expire-access-token":
		e.withCORS(w, r, func() { e.control(w, r, false) })
	case "/_emulator/info":
		e.withCORS(w, r, func() { e.info(w, r) })
	default:
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "404 page not found\n")
	}
}

// ---------------------------------------------------------------------------
// Authorization endpoint and consent.

// authorize validates an authorization request and shows the consent page.
// client_id and redirect_uri are checked first: while either is in doubt the
// user must not be redirected anywhere (RFC 6749 §4.1.2.1), so those errors
// are an HTML page. Every later error goes back to the client.
func (e *Emulator) authorize(w http.ResponseWriter, r *http.Request, legacy bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD")
		return
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		errorPage(w, "The request's query string is malformed.")
		return
	}
	if len(q["client_id"]) != 1 || q.Get("client_id") == "" {
		errorPage(w, "The request must carry exactly one client_id.")
		return
	}
	client, ok := e.clients[q.Get("client_id")]
	if !ok {
		errorPage(w, "Unknown client_id.")
		return
	}
	redirectURI, given, ok := resolveRedirect(client, q["redirect_uri"])
	if !ok {
		errorPage(w, "The redirect_uri is missing or not registered for this client.")
		return
	}

	responseType := q.Get("response_type")
	state, hasState := q.Get("state"), q.Has("state")
	fail := func(code, desc string) {
		redirectTo(w, http.StatusFound, redirectURI, responseType == "token", errorParams(code, desc, state, hasState))
	}
	for k, v := range q {
		if len(v) > 1 {
			fail("invalid_request", "Parameter "+k+" is repeated.")
			return
		}
	}
	switch responseType {
	case "code", "token":
	case "":
		fail("invalid_request", "Missing response_type.")
		return
	default:
		fail("unsupported_response_type", "response_type must be code or token.")
		return
	}
	scope, ok := parseScope(q.Get("scope"))
	if !ok {
		fail("invalid_scope", "The scope is malformed.")
		return
	}
	req := &authRequest{
		clientID:      client.ID,
		redirectURI:   redirectURI,
		redirectGiven: given,
		responseType:  responseType,
		scope:         scope,
		state:         state,
		hasState:      hasState,
		legacy:        legacy,
		expires:       e.now().Add(requestLifetime),
	}
	if responseType == "code" {
		challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
		if method != "" && method != "S256" && method != "plain" {
			fail("invalid_request", "code_challenge_method must be S256 or plain.")
			return
		}
		switch {
		case challenge == "" && method != "":
			fail("invalid_request", "code_challenge_method without code_challenge.")
			return
		case challenge == "" && client.Secret == "":
			fail("invalid_request", "PKCE (code_challenge) is required for public clients.")
			return
		case challenge != "" && !validPKCEString(challenge):
			fail("invalid_request", "code_challenge must be 43 to 128 unreserved characters.")
			return
		}
		if challenge != "" && method == "" {
			method = "plain" // RFC 7636 §4.3
		}
		req.challenge, req.method = challenge, method
	}

	id := randomValue()
	e.mu.Lock()
	put(e.pending, id, req, maxPending, e.now())
	e.mu.Unlock()

	// The form action is relative so that it works under any mount prefix.
	action := "authorize/decision"
	if legacy {
		action = "../../oauth/authorize/decision"
	}
	flow := "authorization code"
	if responseType == "token" {
		flow = "implicit"
	}
	htmlHeaders(w, redirectOrigin(redirectURI))
	w.WriteHeader(http.StatusOK)
	consentPage.Execute(w, consentData{
		ClientID:    client.ID,
		Scopes:      scope,
		RedirectURI: redirectURI,
		User:        e.user.Email,
		Flow:        flow,
		Action:      action,
		RequestID:   id,
	})
}

// decision consumes a pending authorization request and answers the client.
func (e *Emulator) decision(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	form, status, desc := readForm(w, r)
	if status != 0 {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		htmlHeaders(w, "")
		w.WriteHeader(status)
		errorTemplate.Execute(w, desc)
		return
	}
	choice := form.Get("decision")
	if choice != "allow" && choice != "deny" {
		errorPage(w, "decision must be allow or deny.")
		return
	}
	now := e.now()
	e.mu.Lock()
	req := e.pending[form.Get("request_id")]
	delete(e.pending, form.Get("request_id"))
	e.mu.Unlock()
	if req == nil || !now.Before(req.expires) {
		errorPage(w, "This authorization request is unknown, used or expired. Start again from the application.")
		return
	}
	fragment := req.responseType == "token"
	if choice == "deny" {
		redirectTo(w, http.StatusSeeOther, req.redirectURI, fragment,
			errorParams("access_denied", "The resource owner denied the request.", req.state, req.hasState))
		return
	}

	var p params
	if !fragment {
		code := randomValue()
		e.mu.Lock()
		put(e.codes, code, &authCode{
			clientID:      req.clientID,
			redirectURI:   req.redirectURI,
			redirectGiven: req.redirectGiven,
			scope:         req.scope,
			challenge:     req.challenge,
			method:        req.method,
			grant:         randomValue(),
			expires:       now.Add(codeLifetime),
			keepUntil:     now.Add(usedCodeRetention),
		}, maxCodes, now)
		e.mu.Unlock()
		p = params{{"code", code}}
	} else {
		prefix := ""
		if req.legacy {
			prefix = legacyToken
		}
		at := prefix + randomValue()
		e.mu.Lock()
		put(e.access, at, &token{clientID: req.clientID, scope: req.scope, expires: now.Add(accessLifetime)}, maxTokens, now)
		e.mu.Unlock()
		if req.legacy {
			// GoToConnect: type, milliseconds, username, no scope.
			p = params{
				{"access_token", at},
				{"type", "bearer"},
				{"expires_in", strconv.FormatInt(accessLifetime.Milliseconds(), 10)},
				{"username", e.user.Email},
			}
		} else {
			p = params{
				{"access_token", at},
				{"token_type", "Bearer"},
				{"expires_in", strconv.Itoa(int(accessLifetime.Seconds()))},
				{"principal", e.user.Email},
				{"scope", strings.Join(req.scope, " ")},
			}
		}
	}
	if req.hasState {
		p = append(p, [2]string{"state", req.state})
	}
	redirectTo(w, http.StatusSeeOther, req.redirectURI, fragment, p)
}

// resolveRedirect picks the redirect URI of an authorization request. given
// reports whether the request named it (then the token request must repeat it).
func resolveRedirect(c Client, values []string) (uri string, given, ok bool) {
	switch len(values) {
	case 0:
		if len(c.RedirectURIs) == 1 {
			return c.RedirectURIs[0], false, true
		}
		return "", false, false
	case 1:
	default:
		return "", false, false
	}
	v := values[0]
	if len(c.RedirectURIs) > 0 {
		for _, r := range c.RedirectURIs {
			if r == v {
				return v, true, true
			}
		}
		return "", false, false
	}
	return v, true, isLoopbackURI(v, true)
}

// isLoopbackURI reports whether s is an absolute http URL on 127.0.0.1,
// localhost or [::1] without userinfo or fragment. With withPath false it
// must be a bare origin (for CORS).
func isLoopbackURI(s string, withPath bool) bool {
	if len(s) > maxURILen || !strings.HasPrefix(s, "http://") || strings.ContainsAny(s, "#\\ \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" || u.Opaque != "" || u.User != nil {
		return false
	}
	if !withPath && (u.Path != "" || u.RawQuery != "" || u.ForceQuery) {
		return false
	}
	host := u.Hostname()
	if host != "127.0.0.1" && host != "localhost" && host != "::1" {
		return false
	}
	if port := u.Port(); port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
			return false
		}
		return u.Host == net.JoinHostPort(host, port)
	}
	if host == "::1" {
		return u.Host == "[::1]"
	}
	return u.Host == host
}

// redirectOrigin returns scheme://host of a redirect URI, for the consent
// page's form-action (Chromium applies form-action to the redirect that
// follows a form submission).
func redirectOrigin(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// parseScope splits a space separated scope (RFC 6749 §3.3), dropping
// duplicates; empty means DefaultScope.
func parseScope(s string) ([]string, bool) {
	if s == "" {
		return []string{DefaultScope}, true
	}
	if len(s) > maxScopeLen {
		return nil, false
	}
	var out []string
	seen := make(map[string]bool)
	for _, p := range strings.Split(s, " ") {
		if p == "" {
			return nil, false
		}
		for i := 0; i < len(p); i++ {
			c := p[i]
			if c < 0x21 || c == 0x22 || c == 0x5c || c > 0x7e {
				return nil, false
			}
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, true
}

// validPKCEString checks the code_verifier / S256 code_challenge syntax of
// RFC 7636 §4.1: 43 to 128 unreserved characters.
func validPKCEString(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// params is an ordered list of redirect parameters; the order copies GoTo's
// documentation, which makes redirects easy to compare by eye.
type params [][2]string

func (p params) encode() string {
	var b strings.Builder
	for i, kv := range p {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(escape(kv[0]))
		b.WriteByte('=')
		b.WriteString(escape(kv[1]))
	}
	return b.String()
}

// escape percent-encodes a parameter, spaces as %20 (GoTo writes
// scope=a%20b, and a fragment is not form-encoded). ':' and '@' stay
// literal: both are allowed in a query and a fragment (RFC 3986 §3.4), and
// scopes and principals read as GoTo's own redirects do.
var escaper = strings.NewReplacer("+", "%20", "%3A", ":", "%40", "@")

func escape(s string) string {
	return escaper.Replace(url.QueryEscape(s))
}

func errorParams(code, desc, state string, hasState bool) params {
	p := params{{"error", code}, {"error_description", desc}}
	if hasState {
		p = append(p, [2]string{"state", state})
	}
	return p
}

// redirectTo sends the user agent to uri with p in the query (code flow)
// or in the fragment (implicit flow), keeping any query uri already has.
func redirectTo(w http.ResponseWriter, status int, uri string, fragment bool, p params) {
	var loc string
	switch {
	case fragment:
		loc = uri + "#" + p.encode()
	case strings.HasSuffix(uri, "?"):
		loc = uri + p.encode()
	case strings.Contains(uri, "?"):
		loc = uri + "&" + p.encode()
	default:
		loc = uri + "?" + p.encode()
	}
	w.Header().Set("Location", loc)
	w.WriteHeader(status)
}

// htmlHeaders sets the headers of the emulator's own pages: nothing but inline
// styles may load, and the form may post to the emulator itself and be
// followed to the client's redirect origin.
func htmlHeaders(w http.ResponseWriter, redirectOrigin string) {
	formAction := "'self'"
	if redirectOrigin != "" {
		formAction += " " + redirectOrigin
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action "+formAction+
		"; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
}

func errorPage(w http.ResponseWriter, msg string) {
	htmlHeaders(w, "")
	w.WriteHeader(http.StatusBadRequest)
	errorTemplate.Execute(w, msg)
}

type consentData struct {
	ClientID    string
	Scopes      []string
	RedirectURI string
	User        string
	Flow        string
	Action      string
	RequestID   string
}

const pageStyle = `<style>
body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0}
main{max-width:32rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}
code{overflow-wrap:anywhere}
button{font-size:1rem;padding:.5rem 1.5rem;margin-right:1rem}
#allow{background:#0b5cff;color:#fff;border:0;border-radius:4px}
</style>`

var consentPage = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GoTo emulator: authorize {{.ClientID}}</title>
` + pageStyle + `
</head>
<body>
<main>
<h1>Authorize <code>{{.ClientID}}</code></h1>
<p>GoTo emulator, signed in as <strong>{{.User}}</strong>.</p>
<p>The application <code>{{.ClientID}}</code> asks ({{.Flow}} flow) for:</p>
<ul>
{{range .Scopes}}<li><code>{{.}}</code></li>
{{end}}</ul>
<p>You will be sent back to <code>{{.RedirectURI}}</code>.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="request_id" value="{{.RequestID}}">
<button type="submit" id="allow" name="decision" value="allow">Allow</button>
<button type="submit" id="deny" name="decision" value="deny">Deny</button>
</form>
</main>
</body>
</html>
`))

var errorTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>GoTo emulator: error</title>
` + pageStyle + `
</head>
<body>
<main>
<h1>Authorization error</h1>
<p id="error">{{.}}</p>
</main>
</body>
</html>
`))

// ---------------------------------------------------------------------------
// Token endpoint.

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
	Principal    string `json:"principal"`
}

// legacyTokenResponse is the GoToConnect (Jive) shape.
type legacyTokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Username     string `json:"username"`
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// token implements the token endpoint for both paths; legacy selects the
// GoToConnect response shape and token prefix.
func (e *Emulator) token(w http.ResponseWriter, r *http.Request, legacy bool) {
	w.Header().Set("Pragma", "no-cache")
	form, ok := postedForm(w, r)
	if !ok {
		return
	}
	client, ok := e.authenticate(w, r, form)
	if !ok {
		return
	}
	switch form.Get("grant_type") {
	case "authorization_code":
		e.codeGrant(w, form, client, legacy)
	case "refresh_token":
		e.refreshGrant(w, form, client, legacy)
	case "password":
		writeError(w, http.StatusBadRequest, "unsupported_grant_type",
			"The password grant is not supported; use the authorization code flow with PKCE.")
	case "":
		writeError(w, http.StatusBadRequest, "invalid_request", "Missing grant_type.")
	default:
		writeError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant_type.")
	}
}

// authenticate identifies the client. Confidential clients must use HTTP
// Basic, as every GoTo guide does; public clients name themselves with
// client_id in the body and present no credentials at all.
func (e *Emulator) authenticate(w http.ResponseWriter, r *http.Request, form url.Values) (Client, bool) {
	fail := func() (Client, bool) {
		w.Header().Set("WWW-Authenticate", `Basic realm="emulator"`)
		writeError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return Client{}, false
	}
	if _, hasAuth := r.Header["Authorization"]; hasAuth {
		id, secret, ok := r.BasicAuth()
		if !ok {
			return fail()
		}
		if form.Has("client_secret") {
			return fail() // two authentication methods (RFC 6749 §2.3)
		}
		// RFC 6749 §2.3.1 form-encodes both before Base64; GoTo's guides
		// send them raw. Accept either.
		c, ok := e.clients[id]
		if !ok {
			if uid, err := url.QueryUnescape(id); err == nil {
				c, ok = e.clients[uid]
			}
		}
		if !ok || c.Secret == "" {
			return fail()
		}
		if !secretMatches(c.Secret, secret) {
			return fail()
		}
		if form.Has("client_id") && form.Get("client_id") != c.ID {
			return fail()
		}
		return c, true
	}
	c, ok := e.clients[form.Get("client_id")]
	if !ok || c.Secret != "" || form.Has("client_secret") {
		return fail()
	}
	return c, true
}

func secretMatches(want, got string) bool {
	if subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1 {
		return true
	}
	if u, err := url.QueryUnescape(got); err == nil {
		return subtle.ConstantTimeCompare([]byte(want), []byte(u)) == 1
	}
	return false
}

func (e *Emulator) codeGrant(w http.ResponseWriter, form url.Values, client Client, legacy bool) {
	code := form.Get("code")
	if code == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", "Missing code.")
		return
	}
	verifier, hasVerifier := form.Get("code_verifier"), form.Has("code_verifier")
	if hasVerifier && !validPKCEString(verifier) {
		writeError(w, http.StatusBadRequest, "invalid_request", "code_verifier must be 43 to 128 unreserved characters.")
		return
	}
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.codes[code]
	if c == nil || !now.Before(c.keepUntil) {
		writeError(w, http.StatusBadRequest, "invalid_grant", "The authorization code is invalid.")
		return
	}
	if c.used {
		// RFC 6749 §4.1.2: a replayed code revokes what it produced.
		e.revokeGrant(c.grant)
		writeError(w, http.StatusBadRequest, "invalid_grant", "The authorization code was already used.")
		return
	}
	// Any attempt burns the code, so it cannot be probed repeatedly.
	c.used = true
	switch {
	case !now.Before(c.expires):
		writeError(w, http.StatusBadRequest, "invalid_grant", "The authorization code expired.")
	case c.clientID != client.ID:
		writeError(w, http.StatusBadRequest, "invalid_grant", "The authorization code was issued to another client.")
	case (c.redirectGiven || form.Has("redirect_uri")) && form.Get("redirect_uri") != c.redirectURI:
		writeError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request.")
	case c.challenge == "" && hasVerifier:
		writeError(w, http.StatusBadRequest, "invalid_grant", "code_verifier sent, but the authorization request had no code_challenge.")
	case c.challenge != "" && !hasVerifier:
		writeError(w, http.StatusBadRequest, "invalid_grant", "Missing code_verifier.")
	case c.challenge != "" && !pkceMatches(c.method, c.challenge, verifier):
		writeError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge.")
	default:
		at, rt := e.issue(client.ID, c.scope, c.grant, legacy, now)
		e.writeTokens(w, legacy, at, rt, rt, c.scope)
	}
}

func pkceMatches(method, challenge, verifier string) bool {
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

func (e *Emulator) refreshGrant(w http.ResponseWriter, form url.Values, client Client, legacy bool) {
	rt := form.Get("refresh_token")
	if rt == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", "Missing refresh_token.")
		return
	}
	if !legacy && strings.HasPrefix(rt, legacyToken) {
		// What GoTo answers for a GoToConnect refresh token (seed 001).
		writeError(w, http.StatusBadRequest, "invalid_request", "unsupported.jwt")
		return
	}
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.refresh[rt]
	if old == nil || !now.Before(old.expires) || old.clientID != client.ID {
		writeError(w, http.StatusBadRequest, "invalid_grant", "The refresh token is invalid or expired.")
		return
	}
	scope := old.scope
	if form.Has("scope") {
		req, ok := parseScope(form.Get("scope"))
		if !ok || !subset(req, old.scope) {
			writeError(w, http.StatusBadRequest, "invalid_scope", "The scope exceeds the original grant.")
			return
		}
		scope = req
	}
	prefix := ""
	if legacy {
		prefix = legacyToken
	}
	at := prefix + randomValue()
	put(e.access, at, &token{clientID: client.ID, scope: scope, grant: old.grant, expires: now.Add(accessLifetime)}, maxTokens, now)

	// GoTo returns a refresh token only when it issued a new one, which it
	// does when the old one is about to expire (seed 000).
	newRT := ""
	if old.expires.Sub(now) < rotateWindow {
		newRT = prefix + randomValue()
		delete(e.refresh, rt)
		put(e.refresh, newRT, &token{clientID: client.ID, scope: old.scope, grant: old.grant, expires: now.Add(refreshLifetime)}, maxTokens, now)
	}
	legacyRT := newRT
	if legacyRT == "" {
		legacyRT = rt // GoToConnect always answered with a refresh token
	}
	e.writeTokens(w, legacy, at, newRT, legacyRT, scope)
}

// issue creates an access and a refresh token for a grant. Callers hold e.mu.
func (e *Emulator) issue(clientID string, scope []string, grant string, legacy bool, now time.Time) (at, rt string) {
	prefix := ""
	if legacy {
		prefix = legacyToken
	}
	at, rt = prefix+randomValue(), prefix+randomValue()
	put(e.access, at, &token{clientID: clientID, scope: scope, grant: grant, expires: now.Add(accessLifetime)}, maxTokens, now)
	put(e.refresh, rt, &token{clientID: clientID, scope: scope, grant: grant, expires: now.Add(refreshLifetime)}, maxTokens, now)
	return at, rt
}

// revokeGrant deletes every token descending from one authorization code.
// Callers hold e.mu.
func (e *Emulator) revokeGrant(grant string) {
	if grant == "" {
		return
	}
	for k, t := range e.access {
		if t.grant == grant {
			delete(e.access, k)
		}
	}
	for k, t := range e.refresh {
		if t.grant == grant {
			delete(e.refresh, k)
		}
	}
}

func (e *Emulator) writeTokens(w http.ResponseWriter, legacy bool, at, rt, legacyRT string, scope []string) {
	if legacy {
		writeJSON(w, http.StatusOK, legacyTokenResponse{
			AccessToken:  at,
			RefreshToken: legacyRT,
			TokenType:    "bearer",
			ExpiresIn:    accessLifetime.Milliseconds(),
			Username:     e.user.Email,
		})
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken:  at,
		TokenType:    "Bearer",
		RefreshToken: rt,
		ExpiresIn:    int64(accessLifetime.Seconds()),
		Scope:        strings.Join(scope, " "),
		Principal:    e.user.Email,
	})
}

func subset(a, b []string) bool {
	for _, x := range a {
		found := false
		for _, y := range b {
			if x == y {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------------------
// SCIM /me and test controls.

type scimName struct {
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
}

type scimMeta struct {
	Created  string `json:"created"`
	Location string `json:"location"`
}

type scimAccount struct {
	Value        string   `json:"value"`
	Display      string   `json:"display"`
	Entitlements []string `json:"entitlements"`
}

type scimGetgo struct {
	Accounts []scimAccount `json:"accounts"`
}

type scimUser struct {
	Schemas     []string  `json:"schemas"`
	ID          string    `json:"id"`
	UserName    string    `json:"userName"`
	DisplayName string    `json:"displayName"`
	Name        scimName  `json:"name"`
	Locale      string    `json:"locale"`
	Timezone    string    `json:"timezone"`
	Meta        scimMeta  `json:"meta"`
	Getgo       scimGetgo `json:"urn:scim:schemas:extension:getgo:1.0"`
}

func (e *Emulator) me(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD, OPTIONS")
		return
	}
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	now := e.now()
	e.mu.Lock()
	t := e.access[tok]
	valid := strings.EqualFold(scheme, "Bearer") && tok != "" && t != nil && now.Before(t.expires)
	e.mu.Unlock()
	if !valid {
		w.Header().Set("WWW-Authenticate", `Bearer realm="emulator", error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, struct {
			Code string `json:"int_err_code"`
			Msg  string `json:"msg"`
		}{"InvalidToken", "Invalid token passed"})
		return
	}
	u := e.user
	accounts := make([]scimAccount, 0, len(u.Accounts))
	for _, a := range u.Accounts {
		ent := a.Entitlements
		if ent == nil {
			ent = []string{}
		}
		accounts = append(accounts, scimAccount{Value: a.Value, Display: a.Display, Entitlements: ent})
	}
	writeJSON(w, http.StatusOK, scimUser{
		Schemas:     []string{"urn:scim:schemas:core:1.0", "urn:scim:schemas:extension:getgo:1.0"},
		ID:          u.ID,
		UserName:    u.UserName,
		DisplayName: u.DisplayName,
		Name:        scimName{GivenName: u.GivenName, FamilyName: u.FamilyName},
		Locale:      u.Locale,
		Timezone:    u.Timezone,
		Meta: scimMeta{
			Created:  u.Created.UTC().Format("2006-01-02T15:04:05.000Z"),
			Location: "https://api.getgo.com/identity/v1/Users/" + u.ID,
		},
		Getgo: scimGetgo{Accounts: accounts},
	})
}

// info tells a page that it is served with the emulator, and which public
// client to use, so the demo can preset its fields.
func (e *Emulator) info(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD, OPTIONS")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"emulator":true,"clientId":"`+DemoClientID+`"}`)
}

// control implements the two test-control endpoints: age a refresh token to
// one hour of remaining life (so the next refresh rotates it) or expire an
// access token now.
func (e *Emulator) control(w http.ResponseWriter, r *http.Request, ageRefresh bool) {
	form, ok := postedForm(w, r)
	if !ok {
		return
	}
	now := e.now()
	e.mu.Lock()
	var t *token
	if ageRefresh {
		t = e.refresh[form.Get("refresh_token")]
	} else {
		t = e.access[form.Get("access_token")]
	}
	found := t != nil && now.Before(t.expires)
	if found {
		if ageRefresh {
			t.expires = now.Add(agedRefreshLife)
		} else {
			t.expires = now
		}
	}
	e.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, "not_found", "Unknown token.")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ---------------------------------------------------------------------------
// Plumbing.

// withCORS adds CORS headers for allowed origins and answers preflights;
// otherwise it runs next. Other origins get no CORS headers, so browsers
// keep the response from them.
func (e *Emulator) withCORS(w http.ResponseWriter, r *http.Request, next func()) {
	h := w.Header()
	h.Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	allowed := origin != "" && e.originAllowed(origin)
	if allowed {
		h.Set("Access-Control-Allow-Origin", origin)
	}
	if r.Method == http.MethodOptions {
		if allowed {
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			h.Set("Access-Control-Max-Age", "600")
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	next()
}

func (e *Emulator) originAllowed(origin string) bool {
	if e.origins != nil {
		return e.origins[origin]
	}
	return isLoopbackURI(origin, false)
}

// readForm reads an application/x-www-form-urlencoded body of at most
// maxBody bytes in which no parameter repeats (RFC 6749 §3.2). On failure
// it returns an HTTP status and a description.
// postedForm reads a POSTed form for a JSON endpoint, answering the error
// itself when there is none.
func postedForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST, OPTIONS")
		return nil, false
	}
	form, status, desc := readForm(w, r)
	if status != 0 {
		writeError(w, status, "invalid_request", desc)
		return nil, false
	}
	return form, true
}

func readForm(w http.ResponseWriter, r *http.Request) (url.Values, int, string) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, http.StatusBadRequest, "The body must be application/x-www-form-urlencoded."
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge, "The body is too large."
		}
		return nil, http.StatusBadRequest, "The body could not be read."
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, http.StatusBadRequest, "The body is malformed."
	}
	for k, v := range form {
		if len(v) > 1 {
			return nil, http.StatusBadRequest, "Parameter " + k + " is repeated."
		}
	}
	return form, 0, ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func writeError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, oauthError{Error: code, Description: desc})
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusMethodNotAllowed)
	io.WriteString(w, "405 method not allowed\n")
}

// randomValue returns 256 bits from crypto/rand, base64url without padding.
func randomValue() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails since Go 1.24
	return base64.RawURLEncoding.EncodeToString(b)
}

type expirer interface{ expiry() time.Time }

// put stores v under key, first dropping expired entries when the table is
// full and then, if it is still full, the entries closest to expiry.
// Callers hold e.mu.
func put[T expirer](m map[string]T, key string, v T, limit int, now time.Time) {
	if len(m) >= limit {
		for k, x := range m {
			if !now.Before(x.expiry()) {
				delete(m, k)
			}
		}
	}
	for len(m) >= limit {
		var oldest string
		var at time.Time
		for k, x := range m {
			if oldest == "" || x.expiry().Before(at) {
				oldest, at = k, x.expiry()
			}
		}
		delete(m, oldest)
	}
	m[key] = v
}
