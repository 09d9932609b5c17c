// Package client is a GoTo OAuth client for a page, a Node process or a
// backend: it starts sign-ins, checks their redirects against the requests
// it made, and talks to the token endpoint and SCIM /me through a
// Transport. Its calls are synchronous and take a context.Context, as
// golang.org/x/oauth2's do; the wasm bridge runs them in goroutines.
package client

import (
	"strings"
	"sync/atomic"
	"time"

	"gotoauth/wasm/form"
	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/options"
	"gotoauth/wasm/pending"
)

// Config configures a Client.
type Config struct {
	ClientID    string
	RedirectURI string
	Scope       []string
	// Flow is read by oauth.ParseFlow; Config() reports it normalised.
	Flow              string
	AuthorizeEndpoint string
	TokenEndpoint     string
	MeEndpoint        string
	// ClientSecret authenticates the client with HTTP Basic, as GoTo's
	// guides do. It is for backends only: a secret shipped to a page is
	// public.
	ClientSecret string
	// Relay is the absolute URL, ending in '/', of a token relay (the
	// backend half of the code flow, web/relay): the code is exchanged and
	// refreshed there, with the client's secret and the refresh token kept
	// on the server. It excludes TokenEndpoint and ClientSecret.
	Relay     string
	Storage   pending.Storage
	Transport Transport
	Now       func() time.Time
	// Timeout bounds each token and /me request, body included:
	// limits.DefaultTimeout if zero, else between limits.MinTimeout and limits.MaxTimeout.
	Timeout time.Duration
}

// Client is safe for concurrent use.
type Client struct {
	cfg   Config
	store pending.Store
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if err := oauth.CheckClient(cfg.ClientID, cfg.ClientSecret, options.ClientID); err != nil {
		return nil, err
	}
	if cfg.RedirectURI == "" {
		return nil, oauth.Invalid(options.RedirectURI + " is required")
	}
	if err := oauth.CheckRedirectURI(cfg.RedirectURI); err != nil {
		return nil, err
	}
	flow, err := oauth.ParseFlow(cfg.Flow)
	if err != nil {
		return nil, err
	}
	cfg.Flow = flow
	// Check the authorize endpoint and scope now rather than at sign-in.
	if _, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{ClientID: cfg.ClientID, Flow: cfg.Flow, Endpoint: cfg.AuthorizeEndpoint, Scope: cfg.Scope, State: placeholderState}); err != nil {
		return nil, err
	}
	if cfg.AuthorizeEndpoint == "" {
		cfg.AuthorizeEndpoint = oauth.DefaultAuthorizeEndpoint
	}
	if cfg.Relay != "" {
		if cfg.ClientSecret != "" || cfg.TokenEndpoint != "" {
			return nil, oauth.Invalid(options.Relay + " replaces " + options.TokenEndpoint + " and " + options.ClientSecret + ": the relay holds the secret and talks to the token endpoint")
		}
		if err := oauth.CheckEndpoint(options.Relay, cfg.Relay); err != nil {
			return nil, err
		}
		if cfg.Relay[len(cfg.Relay)-1] != '/' || strings.IndexByte(cfg.Relay, '?') >= 0 {
			return nil, oauth.Invalid(options.Relay + " must be the relay's folder, ending in '/', without a query")
		}
	}
	if cfg.TokenEndpoint == "" && cfg.Relay == "" {
		// Through a relay there is no token endpoint: Config reports none.
		cfg.TokenEndpoint = oauth.DefaultTokenEndpoint
	}
	if cfg.MeEndpoint == "" {
		cfg.MeEndpoint = oauth.DefaultMeEndpoint
	}
	if cfg.Relay == "" {
		if err := oauth.CheckEndpoint(options.TokenEndpoint, cfg.TokenEndpoint); err != nil {
			return nil, err
		}
	}
	if err := oauth.CheckEndpoint(options.MeEndpoint, cfg.MeEndpoint); err != nil {
		return nil, err
	}
	if cfg.Transport == nil {
		return nil, oauth.Invalid("a Transport is required")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = limits.DefaultTimeout
	}
	if cfg.Timeout < limits.MinTimeout || cfg.Timeout > limits.MaxTimeout {
		return nil, timeoutRange()
	}
	if cfg.Storage == nil {
		cfg.Storage = &pending.Memory{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg, store: pending.Store{Storage: cfg.Storage, Now: cfg.Now}}, nil
}

// Config returns the client's configuration with defaults filled in and
// the flow normalised.
func (c *Client) Config() Config { return c.cfg }

// AuthorizeOptions override the configuration for one sign-in.
type AuthorizeOptions struct {
	Scope []string // replaces the configured scope when not nil
	Flow  string
	State string
	Extra form.Values
	// AppState is kept beside the pending request and handed back by
	// HandleRedirect; it never goes into the URL.
	AppState string
}

// Authorize builds the authorize URL and remembers its state and verifier.
func (c *Client) Authorize(o AuthorizeOptions) (*oauth.Authorization, error) {
	scope := c.cfg.Scope
	if o.Scope != nil {
		scope = o.Scope
	}
	flow := c.cfg.Flow
	if o.Flow != "" {
		flow = o.Flow
	}
	a, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{
		ClientID: c.cfg.ClientID, RedirectURI: c.cfg.RedirectURI, Scope: scope, Flow: flow,
		State: o.State, Endpoint: c.cfg.AuthorizeEndpoint, Extra: o.Extra,
	})
	if err != nil {
		return nil, err
	}
	err = c.store.Put(pending.Request{State: a.State, ClientID: c.cfg.ClientID, Flow: a.Flow, RedirectURI: c.cfg.RedirectURI, CodeVerifier: a.CodeVerifier, AppState: o.AppState})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// CheckedRedirect is a redirect whose state was checked and consumed. Only
// HandleRedirect makes one, so Exchange cannot be given an unchecked code.
type CheckedRedirect struct {
	Redirect     *oauth.Redirect
	CodeVerifier string
	RedirectURI  string
	AppState     string // what Authorize was given, "" for none

	client *Client
	spent  atomic.Bool
}

// HandleRedirect parses the redirect, then takes its state from the store:
// unknown, foreign, replayed and expired states are refused before anything
// else is looked at. An error response with a valid state is an OAuthError.
func (c *Client) HandleRedirect(rawURL string) (*CheckedRedirect, error) {
	r, err := oauth.ParseRedirectClock(rawURL, c.cfg.Now)
	if err != nil {
		return nil, err
	}
	req, err := c.store.Take(r.State, c.cfg.ClientID)
	if err != nil {
		if e, ok := err.(*oauth.Error); ok && e.Message == pending.UnknownState {
			if lead := elsewhere(rawURL); lead != "" {
				e.Explain(lead)
			}
		}
		return nil, err
	}
	if r.Kind == oauth.KindError {
		return nil, r.Err
	}
	wantKind := oauth.KindCode
	if req.Flow == oauth.FlowImplicit {
		wantKind = oauth.KindToken
	}
	if r.Kind != wantKind {
		return nil, &oauth.Error{Code: oauth.InvalidRedirect, Message: "the redirect carries a " + r.Kind + " but the request asked for the " + req.Flow + " flow"}
	}
	return &CheckedRedirect{Redirect: r, CodeVerifier: req.CodeVerifier, RedirectURI: req.RedirectURI, AppState: req.AppState, client: c}, nil
}

// placeholderState stands in for a state when New checks its configuration.
const placeholderState = "xxxxxxxxxxxxxxxxxxxxxxxx"
