package client

import (
	"encoding/base64"
	"errors"
	"strconv"

	"gotoauth/wasm/form"
	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/options"
	"gotoauth/wasm/wire"
)

// errViaRelay refuses a token request of a relay client: the page makes
// it itself (web/gotoauth-relay.js), with no Go on the way, and the relay
// answers the token already normalised (relayapi).
func errViaRelay(what string) error {
	return oauth.Invalid("through a relay, the page itself sends the " + what + " to the relay (web/gotoauth-relay.js)")
}

// Exchange trades the callback's code for tokens (RFC 6749 §4.1.3,
// RFC 7636 §4.5). A code is sent at most once, even if the first try failed.
func (c *Client) Exchange(ctx Context, cb *CheckedRedirect) (*oauth.Token, error) {
	if c.cfg.Relay != "" {
		return nil, errViaRelay("code")
	}
	if cb == nil || cb.client != c || cb.Redirect == nil || cb.Redirect.Kind != oauth.KindCode {
		return nil, oauth.Invalid("exchangeCode takes the code result that this client's handleRedirect returned")
	}
	if cb.spent.Swap(true) {
		return nil, &oauth.Error{Code: oauth.CodeUsed, Message: "this code was already exchanged, and a code is used once: sign in again"}
	}
	body := form.Values{
		{Name: "grant_type", Value: "authorization_code"},
		{Name: "code", Value: cb.Redirect.Code},
		{Name: "redirect_uri", Value: cb.RedirectURI},
	}
	if cb.CodeVerifier != "" {
		body = append(body, form.Param{Name: "code_verifier", Value: cb.CodeVerifier})
	}
	t, err := c.tokenRequest(ctx, body)
	if e, ok := err.(*oauth.Error); ok && e.Code == oauth.OAuthError && e.OAuth == "invalid_grant" {
		e.Explain("the code expired, was used, or does not match this client, redirect URI or verifier; sign in again")
	}
	return t, err
}

// Refresh gets a new access token (RFC 6749 §6). GoTo returns a refresh
// token only when it rotates one, so the old one is kept otherwise (GoTo's
// guide "Migrating to New Token Retrieval with authentication.logmeininc.com").
// A GoToConnect refresh token (unsupported.jwt, GoTo's guide "Migrating
// from GoToConnect (auth.jive.com) to LogMeIn Authentication API") and a
// dead one (invalid_grant) become Reauthenticate: the user must sign in
// again. A relay client's refresh is the page's (errViaRelay).
func (c *Client) Refresh(ctx Context, refreshToken string) (*oauth.Token, error) {
	switch {
	case c.cfg.Relay != "":
		return nil, errViaRelay("refresh")
	case refreshToken == "":
		return nil, oauth.Invalid("refresh takes a refresh token string")
	case len(refreshToken) > limits.MaxTokenLength:
		return nil, oauth.Invalid(limits.TooLong("the refresh token", limits.MaxTokenLength))
	}
	body := form.Values{{Name: "grant_type", Value: "refresh_token"}, {Name: "refresh_token", Value: refreshToken}}
	t, err := c.tokenRequest(ctx, body)
	if e, ok := err.(*oauth.Error); ok && oauth.DeadRefreshToken(e) {
		e.Code = oauth.Reauthenticate
		e.Explain("the refresh token can no longer be used; sign in again")
	}
	if t != nil && t.RefreshToken == "" {
		t.RefreshToken = refreshToken
	}
	return t, err
}

// BasicAuth is the Authorization header GoTo's guides build ("How to
// obtain an access token"): "Basic " and the Base64 of client_id:secret,
// both pasted as they are. RFC 6749 §2.3.1 would form-encode each part
// first, turning GoTo's own example secret (it holds '+' and '=') into one
// GoTo's documented server refuses; GoTo's form is the one sent. New
// refuses a client id with a ':', which Basic cannot carry (RFC 7617 §2).
func BasicAuth(clientID, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+secret))
}

// tokenRequest posts body to the token endpoint.
func (c *Client) tokenRequest(ctx Context, body form.Values) (*oauth.Token, error) {
	req := &Request{Method: "POST", URL: c.cfg.TokenEndpoint, Headers: [][2]string{
		{"Content-Type", "application/x-www-form-urlencoded"},
		{"Accept", "application/json"},
	}}
	if c.cfg.ClientSecret != "" {
		req.Headers = append(req.Headers, [2]string{"Authorization", BasicAuth(c.cfg.ClientID, c.cfg.ClientSecret)})
	} else {
		body = append(body, form.Param{Name: "client_id", Value: c.cfg.ClientID})
	}
	req.Body = body.Encode()
	const who = "the token endpoint"
	resp, m, err := c.send(ctx, who, req)
	if e, ok := err.(*oauth.Error); ok && e.OAuth == "invalid_client" && c.cfg.ClientSecret == "" {
		// RFC 6749 §5.2: the client could not be authenticated. A client
		// GoTo gave a secret must send it, which only a backend may do.
		e.Explain("the token endpoint wants this client authenticated: set " + options.ClientSecret + " on a backend, or sign in through a relay (config." + options.Relay + ") from a page")
	}
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, &oauth.Error{Code: oauth.InvalidResponse, Status: resp.Status, Message: who + " did not answer with a JSON object"}
	}
	t, err := oauth.NormalizeJSON(m, c.cfg.Now())
	if e, ok := err.(*oauth.Error); ok {
		e.Status = resp.Status
	}
	return t, err
}

// send makes one request within the client's timeout and reads the answer:
// a 2xx answer comes back with its body parsed as a JSON object (nil when
// it is not one); anything else becomes an error.
func (c *Client) send(ctx Context, who string, req *Request) (*Response, map[string]any, error) {
	ctx, cancel := withTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	resp, err := c.cfg.Transport.RoundTrip(ctx, req)
	if err == nil && resp == nil {
		err = errNoResponse
	}
	if err == nil && len(resp.Body) > limits.MaxBodyBytes {
		err = ErrTooLarge
	}
	switch {
	case err == ErrTooLarge:
		return nil, nil, &oauth.Error{Code: oauth.InvalidResponse, Message: who + " answered with more than " + limits.Size(limits.MaxBodyBytes) + "; nothing was kept"}
	case err != nil && timedOut(ctx):
		return nil, nil, &oauth.Error{Code: oauth.NetworkError, Message: who + " did not answer in time (within " + c.cfg.Timeout.String() + ")"}
	case err != nil && ctx.Err() != nil:
		return nil, nil, &oauth.Error{Code: oauth.NetworkError, Message: "the request to " + who + " was cancelled"}
	case err != nil:
		return nil, nil, &oauth.Error{Code: oauth.NetworkError, Message: who + " could not be reached (" + err.Error() + ")"}
	}
	m, _ := wire.ParseObject(resp.Body)
	if resp.Status < 200 || resp.Status > 299 {
		return resp, m, statusError(who, resp.Status, m)
	}
	return resp, m, nil
}

var errNoResponse = errors.New("the transport returned no response")

// statusError reads a non-2xx answer: an RFC 6749 §5.2 body is an
// OAuthError, anything else an HTTPError with the status.
func statusError(who string, status int, m map[string]any) *oauth.Error {
	if e := oauth.ErrorFromJSON(m, who); e != nil {
		e.Status = status
		return e
	}
	return &oauth.Error{Code: oauth.HTTPError, Status: status, Message: who + " answered HTTP " + strconv.Itoa(status)}
}
