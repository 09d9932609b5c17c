// Package emulator is a local stand-in for GoTo's OAuth server
// (authentication.logmeininc.com), its retired GoToConnect predecessor
// (auth.jive.com/oauth2/v2) and the SCIM /me endpoint of api.getgo.com.
//
// It exists so that the gotoauth library, its demo and its browser tests can
// run a complete sign-in without a GoTo developer account or network access.
// Where GoTo's behaviour is documented, in its guides "Migrating to New Token
// Retrieval with authentication.logmeininc.com", "Migrating from GoToConnect
// (auth.jive.com) to LogMeIn Authentication API", "OAuth migration guide",
// "How to obtain an access token" and "Direct login migration", the emulator
// copies it, including its quirks: token responses without a refresh_token
// until the old one is about to expire, the "unsupported.jwt" error for
// GoToConnect refresh tokens and the GoToConnect fragment format.
// Everything else follows RFC 6749, RFC 7636 and RFC 8252, on the strict side,
// so that a client that works against the emulator does not rely on leniency.
//
// The handler is meant to be mounted under a prefix, for example
//
//	mux.Handle(emulator.Mount+"/", http.StripPrefix(emulator.Mount, emulator.New(emulator.Config{})))
//
// and then serves, inside the prefix:
//
//	GET  /oauth/authorize             consent page (today's path)
//	GET  /oauth2/v2/grant             consent page (GoToConnect path)
//	POST /oauth/authorize/decision    the consent form's target
//	POST /oauth/token                 token endpoint (today's JSON shape)
//	POST /oauth2/v2/token             token endpoint (GoToConnect JSON shape)
//	POST /oauth/revoke                token revocation (RFC 7009; GoTo documents none)
//	GET  /identity/v1/Users/me        SCIM /me
//	POST /_emulator/age-refresh-token test control: refresh token has 1h left
//	                                  (one refresh_token, or every one of a client_id)
//	POST /_emulator/expire-access-token test control: access token expires now
//	GET  /_emulator/stats             test control: token requests so far, by grant
//
// (the constants of page.go name each path). A page learns how to sign in
// at the emulator from its server, at PageConfigPath (Page).
//
// All state lives in memory, behind one mutex, with caps on every table.
package emulator

import (
	"io"
	"net/http"
	"sync"
	"time"

	"gotoauth/wasm/limits"
	"gotoauth/web/oauthhttp"
)

// Default client credentials, exported so that other test suites and the demo
// can refer to them instead of repeating string literals.
const (
	// DemoClientID is the demo's client, confidential as GoTo's clients
	// are (GoTo's token endpoint authenticates clients with HTTP Basic and
	// documents no public ones): a page signs in with it by the implicit
	// flow, or by the code flow through the token relay (web/relay), which
	// holds DemoClientSecret. Any http loopback redirect URI.
	DemoClientID = "gotoauth-demo"
	// DemoClientSecret is DemoClientID's secret. Like GoTo's example
	// secret it holds '+', '/' and '=', which GoTo's Basic header carries
	// as they are.
	DemoClientSecret = "gotoauth+demo/secret=="
	// PublicClientID is a public client, which GoTo does not offer, kept
	// for the tests of a client without a secret: no secret, PKCE required
	// on the code flow, any http loopback redirect URI.
	PublicClientID = "gotoauth-public"
	// BackendClientID is a confidential client that authenticates with
	// HTTP Basic, any http loopback redirect URI.
	BackendClientID = "gotoauth-backend"
	// BackendClientSecret is BackendClientID's secret.
	BackendClientSecret = "gotoauth+backend/secret=="
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
	maxBody     = limits.MaxRelayBody
	maxPending  = 1024
	maxCodes    = 1024
	maxTokens   = 16384
	maxScopeLen = 2048
	maxURILen   = 2048
	legacyToken = "jive-" // prefix of tokens issued on the GoToConnect paths
)

// api is the generation of GoTo's OAuth API an endpoint copies.
type api int

const (
	todayAPI       api = iota // authentication.logmeininc.com/oauth
	goToConnectAPI            // auth.jive.com/oauth2/v2: GoToConnect's token shape, fragment and token prefix
)

// controlAction is what a test-control endpoint does to a token.
type controlAction int

const (
	ageRefresh   controlAction = iota // a refresh token has agedRefreshLife left
	expireAccess                      // an access token expires now
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

// DefaultClients returns the confidential demo and backend clients and the
// public client.
func DefaultClients() []Client {
	return []Client{
		{ID: DemoClientID, Secret: DemoClientSecret},
		{ID: PublicClientID},
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
	cors    oauthhttp.CORS
	now     func() time.Time
	user    User

	mu      sync.Mutex
	pending map[string]*authRequest
	codes   map[string]*authCode
	access  map[string]*token
	refresh map[string]*token

	stats stats // test control: GET /_emulator/stats
}

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
	e.cors = oauthhttp.CORS{Origins: oauthhttp.LoopbackOrigins(), Methods: "GET, POST", Headers: "Authorization, Content-Type"}
	if len(cfg.AllowedOrigins) > 0 {
		e.cors.Origins = oauthhttp.AllowOrigins(cfg.AllowedOrigins)
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
	oauthhttp.APIHeaders(h)
	switch r.URL.Path {
	case AuthorizePath:
		e.authorize(w, r, todayAPI)
	case GoToConnectAuthorizePath:
		e.authorize(w, r, goToConnectAPI)
	case DecisionPath:
		e.decision(w, r)
	case TokenPath:
		e.withCORS(w, r, func() { e.token(w, r, todayAPI) })
	case GoToConnectTokenPath:
		e.withCORS(w, r, func() { e.token(w, r, goToConnectAPI) })
	case RevocationPath:
		e.revoke(w, r)
	case MePath:
		e.withCORS(w, r, func() { e.me(w, r) })
	case AgeRefreshTokenPath:
		e.withCORS(w, r, func() { e.control(w, r, ageRefresh) })
	case ExpireAccessTokenPath:
		e.withCORS(w, r, func() { e.control(w, r, expireAccess) })
	case StatsPath:
		e.withCORS(w, r, func() { e.statsEndpoint(w, r) })
	default:
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "404 page not found\n")
	}
}
