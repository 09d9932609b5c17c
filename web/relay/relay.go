// Package relay is a token-mediating backend for GoTo OAuth: a page runs the
// authorization-code flow with PKCE itself, and the relay finishes it against
// GoTo's token endpoint with the client secret the page must never hold.
//
// GoTo's token endpoint authenticates every client with HTTP Basic and a
// client secret ("How to obtain an access token") and documents no public
// clients, so a page can only redeem a code through a backend, as GoTo's own
// sample apps do. This is the "Token-Mediating Backend" of "OAuth 2.0 for
// Browser-Based Applications" (§6.2): the page receives access tokens, while
// the refresh token stays out of its reach in an HttpOnly cookie that only
// the relay can read, sealed with AES-256-GCM.
//
// The relay is meant to be mounted under Path, with the prefix stripped:
//
//	mux.Handle(relay.Path, http.StripPrefix("/relay", r))
//
// and then serves, inside the prefix, the endpoints of the contract that
// package wasm/relayapi writes down for both sides (token, refresh,
// signout). Every endpoint wants POST, the header relayapi.Header, an Origin
// from Config.AllowedOrigins and a body of at most limits.MaxRelayBody; a
// request that fails any check is refused before GoTo is contacted. The
// client sends the cookie with credentials: "same-origin" only, so a page
// served from another origin reaches the relay through its own server's
// proxy (README, "Your own dev server").
//
// Refreshes are coalesced: concurrent refreshes with one refresh token reach
// GoTo once, and a refresh with a token that GoTo rotated a moment ago is
// answered from memory (refresh.go), because GoTo invalidates a refresh
// token once it rotates it.
package relay

import (
	"crypto/rand"
	"errors"
	"log"
	"net/http"
	"sync"
	"time"

	"gotoauth/wasm/client"
	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/relayapi"
	"gotoauth/web/oauthhttp"
)

// Path is where the relay is mounted; the refresh cookie's Path attribute.
const Path = relayapi.Path

// Defaults and bounds.
const (
	// KeySize is the length of Config.CookieKey: AES-256.
	KeySize = 32
	// maxBody bounds what the relay reads from the page.
	maxBody = limits.MaxRelayBody
)

// Config configures a Relay. ConfigFromEnv fills in the client and the key;
// the caller adds the origins and anything else.
type Config struct {
	// ClientID and ClientSecret authenticate the relay at GoTo's token
	// endpoint with HTTP Basic, as GoTo's guides build it (client.BasicAuth).
	ClientID     string
	ClientSecret string
	// TokenEndpoint defaults to oauth.DefaultTokenEndpoint; it must be https,
	// or http on a loopback host (the local emulator).
	TokenEndpoint string
	// CookieKey seals the refresh cookie: KeySize bytes. Nil means a random
	// key for this process, so that a restart signs everyone out.
	CookieKey []byte
	// AllowedOrigins are the page origins (scheme://host[:port], as browsers
	// write Origin) that may call the relay. At least one is required.
	AllowedOrigins []string
	// Logger receives one line per upstream failure and the notice about a
	// random key; never a token or the secret. Nil means log.Default().
	Logger *log.Logger
	// Now defaults to time.Now; tests pass a fake clock.
	Now func() time.Time
	// Timeout bounds each request to GoTo: limits.DefaultTimeout if zero, else
	// between limits.MinTimeout and limits.MaxTimeout.
	Timeout time.Duration
	// HTTPClient sends the requests to GoTo; nil means a client with
	// http.DefaultTransport. Its redirect policy and cookie jar are replaced:
	// a redirect would resend a code or a refresh token somewhere else.
	HTTPClient *http.Client
}

// Relay is the http.Handler. Create it with New; it is safe for concurrent
// use.
type Relay struct {
	clientID  string
	secret    string
	endpoint  string
	origins   oauthhttp.Origins
	log       *log.Logger
	now       func() time.Time
	timeout   time.Duration
	transport client.HTTPTransport
	seal      *sealer

	mu       sync.Mutex
	inflight map[tokenHash]*flight // refreshes being sent to GoTo
	recent   map[tokenHash]*rotated
	recentN  int       // bytes held by recent
	purgeAt  time.Time // when refreshOnce next drops expired rotations
}

// New checks cfg and returns a Relay.
func New(cfg Config) (*Relay, error) {
	if cfg.ClientSecret == "" {
		return nil, errors.New("relay: the client id and the client secret are both required")
	}
	if err := oauth.CheckClient(cfg.ClientID, cfg.ClientSecret, "the client id"); err != nil {
		return nil, errors.New("relay: " + err.(*oauth.Error).Message)
	}
	if cfg.TokenEndpoint == "" {
		cfg.TokenEndpoint = oauth.DefaultTokenEndpoint
	}
	if err := checkEndpoint("the token endpoint", cfg.TokenEndpoint); err != nil {
		return nil, errors.New("relay: " + err.Error())
	}
	origins, err := oauthhttp.NewOrigins(cfg.AllowedOrigins)
	if err != nil {
		return nil, errors.New("relay: " + err.Error())
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = limits.DefaultTimeout
	}
	if cfg.Timeout < limits.MinTimeout || cfg.Timeout > limits.MaxTimeout {
		return nil, errors.New("relay: the timeout must be from " + limits.MinTimeout.String() + " to " + limits.MaxTimeout.String())
	}
	if cfg.Logger == nil {
		cfg.Logger = log.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	key := cfg.CookieKey
	if key == nil {
		key = make([]byte, KeySize)
		rand.Read(key) // never fails since Go 1.24
		cfg.Logger.Print("relay: " + EnvCookieKey + " is not set; using a random key, so restarting this process signs everyone out")
	}
	s, err := newSealer(key, cfg.ClientID)
	if err != nil {
		return nil, err
	}
	hc := http.Client{}
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	}
	hc.Jar = nil
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Relay{
		clientID:  cfg.ClientID,
		secret:    cfg.ClientSecret,
		endpoint:  cfg.TokenEndpoint,
		origins:   origins,
		log:       cfg.Logger,
		now:       cfg.Now,
		timeout:   cfg.Timeout,
		transport: client.HTTPTransport{Client: &hc},
		seal:      s,
		inflight:  make(map[tokenHash]*flight),
		recent:    make(map[tokenHash]*rotated),
	}, nil
}

// ServeHTTP routes the request to one of the endpoints listed in the package
// documentation, after the checks every endpoint shares (check.go).
func (rl *Relay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")

	var endpoint func(http.ResponseWriter, *http.Request, []byte)
	switch r.URL.Path {
	case "/" + relayapi.TokenPath:
		endpoint = rl.token
	case "/" + relayapi.RefreshPath:
		endpoint = rl.refresh
	case "/" + relayapi.SignOutPath:
		endpoint = rl.signout
	default:
		oauthhttp.WriteError(w, http.StatusNotFound, "invalid_request", "No such relay endpoint; there are /token, /refresh and /signout.")
		return
	}
	body, ok := rl.admit(w, r)
	if !ok {
		return
	}
	endpoint(w, r, body)
}
