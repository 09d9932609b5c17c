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
// The relay is mounted under Config.Path (Path, "/relay/", by default),
// with or without the prefix stripped:
//
//	mux.Handle(cfg.Path, r)
//
// and then serves, inside it:
//
//	POST /token    form code, redirect_uri, code_verifier: redeems the code
//	POST /refresh  no body: a new access token for the refresh cookie
//	POST /signout  no body: ends the sign-in and clears the cookie (204)
//
// Every endpoint wants POST, the header relayapi.Header, an Origin from
// Config.AllowedOrigins and a body of at most limits.MaxRelayBody; a request
// that fails any check is refused before GoTo is contacted. Token answers are
// GoTo's JSON less its refresh_token; every error is an RFC 6749 §5.2 body.
// The client sends the cookie with credentials: "same-origin" only, so a
// page served from another origin reaches the relay through its own
// server's proxy (README, "Your own dev server").
//
// Refreshes are coalesced: concurrent refreshes with one refresh token reach
// GoTo once, and a refresh with a token that GoTo rotated a moment ago is
// answered from memory (refresh.go), because GoTo invalidates a refresh
// token once it rotates it. A sign-out ends the sign-in on every instance,
// refreshes in flight included (signout.go). The state this takes is in a
// store (package store): in this process, or in Redis for many instances
// (store/redisstore). Cookies follow "OAuth 2.0 for Browser-Based
// Applications": Secure by the page's origin, and a request with more than
// one is refused, not guessed at (cookie.go).
package relay

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"

	"gotoauth/wasm/client"
	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/relayapi"
	"gotoauth/web/oauthhttp"
	"gotoauth/web/relay/store"
)

// Path is where the relay is mounted unless Config.Path says otherwise; the
// refresh cookie's Path attribute follows the mount.
const Path = relayapi.Path

// Defaults and bounds.
const (
	// KeySize is the length of Config.CookieKey: AES-256.
	KeySize = 32
	// maxBody bounds what the relay reads from the page.
	maxBody = limits.MaxRelayBody
)

// Config configures a Relay. relayenv.Load fills in the client, the keys and the store;
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
	// key for this process, so that a restart signs everyone out; with a
	// shared Store, every instance needs the same key.
	CookieKey []byte
	// OldCookieKeys only open cookies, during a key rotation: a cookie
	// opened with one is sealed again with CookieKey when the relay next
	// answers it. Each is KeySize bytes.
	OldCookieKeys [][]byte
	// Path is where the relay is mounted, "/" or a folder ending in "/";
	// Path ("/relay/") if empty. The cookie's Path attribute is this.
	Path string
	// Store holds the refresh lock, the memory of answers and the ended
	// sign-ins. Nil means store.NewMemory: one process. Instances behind a
	// load balancer share one (store/redisstore).
	Store store.Store
	// RevocationEndpoint, when set, is where a sign-out revokes the refresh
	// token (RFC 7009). GoTo's guides document none, so it is opt-in. https,
	// or http on a loopback host.
	RevocationEndpoint string
	// AllowedOrigins are the page origins (scheme://host[:port], as browsers
	// write Origin) that may call the relay. At least one is required.
	AllowedOrigins []string
	// Logger receives one line per upstream failure and the notice about a
	// random key; never a token or the secret. Nil means log.Default().
	Logger *log.Logger
	// Observer hears what the relay does, for metrics and logs
	// (observe.go); nil means nothing listens.
	Observer Observer
	// Now defaults to time.Now; tests pass a fake clock.
	Now func() time.Time
	// Timeout bounds each request to GoTo: limits.DefaultTimeout if zero, else
	// between client.MinTimeout and client.MaxTimeout.
	Timeout time.Duration
	// HTTPClient sends the requests to GoTo; nil means a client with a
	// clone of http.DefaultTransport that keeps 64 idle connections to
	// GoTo. Its redirect policy and cookie jar are replaced: a redirect
	// would resend a code or a refresh token somewhere else.
	HTTPClient *http.Client
}

// Relay is the http.Handler. Create it with New; it is safe for concurrent
// use.
type Relay struct {
	clientID  string
	secret    string
	endpoint  string
	revoker   string // the revocation endpoint, or ""
	path      string
	cors      oauthhttp.CORS
	log       *log.Logger
	now       func() time.Time
	timeout   time.Duration
	transport client.HTTPTransport
	seal      *keyring
	keys      *storeKeys
	store     store.Store
	refused   refusedLog
	obs       Observer
	announce  announcer
	keyLog    keyLog

	mu       sync.Mutex
	inflight map[string]*flight // refreshes under way on this instance
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
	if err := CheckEndpoint("the token endpoint", cfg.TokenEndpoint); err != nil {
		return nil, errors.New("relay: " + err.Error())
	}
	if cfg.RevocationEndpoint != "" {
		if err := CheckEndpoint("the revocation endpoint", cfg.RevocationEndpoint); err != nil {
			return nil, errors.New("relay: " + err.Error())
		}
	}
	if cfg.Path == "" {
		cfg.Path = Path
	}
	if err := CheckPath(cfg.Path); err != nil {
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
	s, err := newKeyring(key, cfg.OldCookieKeys, cfg.ClientID)
	if err != nil {
		return nil, err
	}
	if cfg.CookieKey != nil {
		// Keys by id (KeyID), never by value: what an operator matches
		// against a log line that names a key an instance lacks.
		ids := s.ids()
		line := "relay: cookies are sealed with key " + ids[0]
		if len(ids) > 1 {
			line += "; opened also with old keys " + strings.Join(ids[1:], ", ")
		}
		cfg.Logger.Print(line)
	}
	if cfg.Store == nil {
		cfg.Store = store.NewMemory(cfg.Now)
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	} else {
		cfg.Store = observedStore{cfg.Store, cfg.Observer}
	}
	hc := http.Client{}
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		// GoTo is one host, and http.DefaultTransport keeps two idle
		// connections per host: concurrent refreshes would each open a
		// connection, with its TLS handshake (web/bench/relay measured it).
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		hc.Transport = t
	}
	hc.Jar = nil
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Relay{
		clientID: cfg.ClientID,
		secret:   cfg.ClientSecret,
		endpoint: cfg.TokenEndpoint,
		revoker:  cfg.RevocationEndpoint,
		path:     cfg.Path,
		cors: oauthhttp.CORS{Origins: origins, Methods: http.MethodPost, Headers: "Content-Type, " + relayapi.Header,
			Credentials: true},
		log:       cfg.Logger,
		now:       cfg.Now,
		timeout:   cfg.Timeout,
		transport: client.HTTPTransport{Client: &hc},
		seal:      s,
		keys:      newStoreKeys(cfg.ClientID),
		store:     cfg.Store,
		obs:       cfg.Observer,
		inflight:  make(map[string]*flight),
	}, nil
}

// ServeHTTP routes the request to one of the endpoints listed in the package
// documentation, after the checks every endpoint shares (check.go).
func (rl *Relay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	oauthhttp.APIHeaders(w.Header())
	p := r.URL.Path
	if strings.HasPrefix(p, rl.path) {
		p = p[len(rl.path)-1:] // mounted without http.StripPrefix
	}
	var endpoint func(http.ResponseWriter, *http.Request, string, []byte)
	switch p {
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
	body, origin, ok := rl.admit(w, r)
	if !ok {
		return
	}
	endpoint(w, r, origin, body)
}

// Path is where the relay is mounted (Config.Path).
func (rl *Relay) Path() string { return rl.path }

// Ready reports whether the relay's store can be reached: nil when the
// relay can answer refreshes and sign-outs. relayserver asks it for
// /readyz's body and the store_up metric (never for /readyz's status); it
// also announces this instance's keys when due.
func (rl *Relay) Ready(ctx context.Context) error {
	if err := rl.announceKeys(ctx); err != nil { // keyid.go
		return err
	}
	return rl.store.Ping(ctx)
}

// CheckPath checks a folder the relay may be mounted under (Config.Path):
// "/" or a clean folder path such as /auth/relay/, starting and ending with
// "/", of characters that need no escaping in a URL or a cookie's Path.
func CheckPath(p string) error {
	bad := fmt.Errorf("the path %q must be \"/\" or a folder such as \"/auth/relay/\": starting and ending with \"/\", of letters, digits and - . _ ~", p)
	if len(p) > 200 || !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") {
		return bad
	}
	if p == "/" {
		return nil
	}
	for _, seg := range strings.Split(p[1:len(p)-1], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return bad
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
				return bad
			}
		}
	}
	return nil
}
