// Package client is a GoTo OAuth client for a page or a Node process: it
// starts sign-ins, checks their redirects against the requests it made, and
// talks to the token endpoint and SCIM /me through a Transport.
package client

import (
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
	"time"

	"gotoauth/wasm/form"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/pending"
	"gotoauth/wasm/scim"
)

// Config configures a Client.
type Config struct {
	ClientID          string
	RedirectURI       string
	Scope             []string
	Flow              string
	AuthorizeEndpoint string
	TokenEndpoint     string
	MeEndpoint        string
	// ClientSecret authenticates the client with HTTP Basic, as GoTo's
	// guides do. It is for backends only: a secret shipped to a page is
	// public.
	ClientSecret string
	Storage      pending.Storage
	Transport    Transport
	Now          func() time.Time
	// Timeout bounds each token and /me request (DefaultTimeout if zero).
	Timeout time.Duration
}

// Client is safe for concurrent use.
type Client struct {
	cfg   Config
	store pending.Store
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.ClientID == "" {
		return nil, invalid("clientId is required")
	}
	if len(cfg.ClientID) > oauth.MaxParamLength || len(cfg.ClientSecret) > oauth.MaxParamLength {
		return nil, invalid("clientId and clientSecret must be shorter than 8 KiB")
	}
	if cfg.RedirectURI == "" {
		return nil, invalid("redirectUri is required")
	}
	if err := oauth.CheckRedirectURI(cfg.RedirectURI); err != nil {
		return nil, err
	}
	// Check the flow and authorize endpoint now rather than at sign-in.
	if _, err := oauth.BuildAuthorization(oauth.AuthorizeRequest{ClientID: cfg.ClientID, Flow: cfg.Flow, Endpoint: cfg.AuthorizeEndpoint, Scope: cfg.Scope, State: strings.Repeat("x", oauth.MinStateLength)}); err != nil {
		return nil, err
	}
	if cfg.TokenEndpoint == "" {
		cfg.TokenEndpoint = oauth.DefaultTokenEndpoint
	}
	if cfg.MeEndpoint == "" {
		cfg.MeEndpoint = scim.DefaultMeEndpoint
	}
	for what, u := range map[string]string{"tokenEndpoint": cfg.TokenEndpoint, "meEndpoint": cfg.MeEndpoint} {
		if err := oauth.CheckEndpoint(what, u); err != nil {
			return nil, err
		}
	}
	if cfg.Transport == nil {
		return nil, invalid("a Transport is required")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Timeout < 100*time.Millisecond || cfg.Timeout > 10*time.Minute {
		return nil, invalid("timeout must be between 100 ms and 10 minutes")
	}
	if cfg.Storage == nil {
		cfg.Storage = &pending.Memory{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg, store: pending.Store{Storage: cfg.Storage, Now: cfg.Now}}, nil
}

// Config returns the client's configuration with defaults filled in.
func (c *Client) Config() Config { return c.cfg }

// AuthorizeOptions override the configuration for one sign-in.
type AuthorizeOptions struct {
	Scope []string // replaces the configured scope when not nil
	Flow  string
	State string
	Extra form.Values
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
	err = c.store.Put(pending.Request{State: a.State, ClientID: c.cfg.ClientID, Flow: a.Flow, RedirectURI: c.cfg.RedirectURI, CodeVerifier: a.CodeVerifier})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Callback is a redirect whose state was checked and consumed. Only
// HandleRedirect makes one, so ExchangeCode cannot be given an unchecked code.
type Callback struct {
	Redirect     *oauth.Redirect
	CodeVerifier string
	RedirectURI  string

	client *Client
	mu     sync.Mutex
	spent  bool
}

// HandleRedirect parses the redirect, then takes its state from the store:
// unknown, foreign, replayed and expired states are refused before anything
// else is looked at. An error response with a valid state is an OAuthError.
func (c *Client) HandleRedirect(rawURL string) (*Callback, error) {
	r, err := oauth.ParseRedirect(rawURL, c.cfg.Now())
	if err != nil {
		return nil, err
	}
	req, err := c.store.Take(r.State, c.cfg.ClientID)
	if err != nil {
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
	return &Callback{Redirect: r, CodeVerifier: req.CodeVerifier, RedirectURI: req.RedirectURI, client: c}, nil
}

// ExchangeCode trades the callback's code for tokens (RFC 6749 §4.1.3,
// RFC 7636 §4.5). A code is sent at most once, even if the first try failed.
func (c *Client) ExchangeCode(cb *Callback, done func(*oauth.Token, error)) {
	if cb == nil || cb.client != c || cb.Redirect == nil || cb.Redirect.Kind != oauth.KindCode {
		done(nil, invalid("exchangeCode takes the code result that this client's handleRedirect returned"))
		return
	}
	cb.mu.Lock()
	spent := cb.spent
	cb.spent = true
	cb.mu.Unlock()
	if spent {
		done(nil, invalid("this code was already sent to the token endpoint; codes are single use"))
		return
	}
	body := form.Values{
		{Name: "grant_type", Value: "authorization_code"},
		{Name: "code", Value: cb.Redirect.Code},
		{Name: "redirect_uri", Value: cb.RedirectURI},
	}
	if cb.CodeVerifier != "" {
		body = append(body, form.Param{Name: "code_verifier", Value: cb.CodeVerifier})
	}
	c.tokenRequest(body, func(t *oauth.Token, err error) {
		if e, ok := err.(*oauth.Error); ok && e.Code == oauth.OAuthError && e.OAuth == "invalid_grant" {
			e.Message += " (the code expired, was used, or does not match this client, redirect URI or verifier: sign in again)"
		}
		done(t, err)
	})
}

// Refresh gets a new access token (RFC 6749 §6). GoTo returns a refresh
// token only when it rotates one, so the old one is kept otherwise (seed
// 000). A GoToConnect refresh token (unsupported.jwt, seed 001) and a dead
// one (invalid_grant) become Reauthenticate: the user must sign in again.
func (c *Client) Refresh(refreshToken string, done func(*oauth.Token, error)) {
	if refreshToken == "" {
		done(nil, invalid("refresh takes a refresh token string"))
		return
	}
	if len(refreshToken) > oauth.MaxTokenLength {
		done(nil, invalid("the refresh token is longer than 32 KiB"))
		return
	}
	body := form.Values{{Name: "grant_type", Value: "refresh_token"}, {Name: "refresh_token", Value: refreshToken}}
	c.tokenRequest(body, func(t *oauth.Token, err error) {
		if e, ok := err.(*oauth.Error); ok && e.Code == oauth.OAuthError {
			if e.OAuth == "invalid_grant" || e.OAuth == "invalid_request" && strings.Contains(e.Description, "unsupported.jwt") {
				e.Code = oauth.Reauthenticate
				e.Message += ": the refresh token can no longer be used; sign in again"
			}
		}
		if t != nil && t.RefreshToken == "" {
			t.RefreshToken = refreshToken
		}
		done(t, err)
	})
}

func (c *Client) tokenRequest(body form.Values, done func(*oauth.Token, error)) {
	req := Request{Method: "POST", URL: c.cfg.TokenEndpoint, Timeout: c.cfg.Timeout, Headers: [][2]string{
		{"Content-Type", "application/x-www-form-urlencoded"},
		{"Accept", "application/json"},
	}}
	if c.cfg.ClientSecret != "" {
		// RFC 6749 §2.3.1: each part form-encoded before Basic encoding.
		creds := form.Escape(c.cfg.ClientID) + ":" + form.Escape(c.cfg.ClientSecret)
		req.Headers = append(req.Headers, [2]string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(creds))})
	} else {
		body = append(body, form.Param{Name: "client_id", Value: c.cfg.ClientID})
	}
	req.Body = body.Encode()
	c.cfg.Transport.Do(req, func(resp *Response, err error) {
		if err != nil {
			done(nil, &oauth.Error{Code: oauth.NetworkError, Message: "the token endpoint could not be reached: " + err.Error()})
			return
		}
		if resp.Status < 200 || resp.Status > 299 {
			done(nil, statusError("token endpoint", resp))
			return
		}
		if resp.JSON == nil {
			done(nil, &oauth.Error{Code: oauth.InvalidResponse, Status: resp.Status, Message: "the token endpoint did not answer with a JSON object"})
			return
		}
		t, err := oauth.NormalizeJSON(resp.JSON, c.cfg.Now())
		if e, ok := err.(*oauth.Error); ok {
			e.Status = resp.Status
		}
		done(t, err)
	})
}

// Me calls SCIM /me with the access token.
func (c *Client) Me(accessToken string, done func(*scim.Profile, map[string]any, error)) {
	if accessToken == "" {
		done(nil, nil, invalid("me takes an access token string"))
		return
	}
	if len(accessToken) > oauth.MaxTokenLength {
		done(nil, nil, invalid("the access token is longer than 32 KiB"))
		return
	}
	for i := 0; i < len(accessToken); i++ {
		if accessToken[i] <= ' ' || accessToken[i] >= 0x7f {
			done(nil, nil, invalid("the access token has characters a Bearer header cannot carry"))
			return
		}
	}
	req := Request{Method: "GET", URL: c.cfg.MeEndpoint, Timeout: c.cfg.Timeout, Headers: [][2]string{
		{"Authorization", "Bearer " + accessToken},
		{"Accept", "application/json"},
	}}
	c.cfg.Transport.Do(req, func(resp *Response, err error) {
		if err != nil {
			done(nil, nil, &oauth.Error{Code: oauth.NetworkError, Message: "SCIM /me could not be reached: " + err.Error()})
			return
		}
		if resp.Status < 200 || resp.Status > 299 {
			e := statusError("SCIM /me", resp)
			if e.Code == oauth.OAuthError && (resp.Status == 401 || resp.Status == 403) {
				e.Code = oauth.HTTPError
			}
			done(nil, nil, e)
			return
		}
		p, err := scim.Map(resp.JSON)
		if e, ok := err.(*oauth.Error); ok {
			e.Status = resp.Status
		}
		done(p, resp.JSON, err)
	})
}

// statusError reads a non-2xx answer: an RFC 6749 §5.2 body is an
// OAuthError, anything else an HTTPError with the status.
func statusError(what string, resp *Response) *oauth.Error {
	if e := oauth.ErrorFromJSON(resp.JSON, "the "+what); e != nil {
		e.Status = resp.Status
		return e
	}
	return &oauth.Error{Code: oauth.HTTPError, Status: resp.Status, Message: "the " + what + " answered HTTP " + strconv.Itoa(resp.Status)}
}

func invalid(msg string) error { return &oauth.Error{Code: oauth.InvalidArgument, Message: msg} }
