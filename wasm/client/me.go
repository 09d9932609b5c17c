package client

import (
	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/scim"
)

// Me calls SCIM /me with the access token and maps the profile; raw is the
// answer as parsed.
func (c *Client) Me(ctx Context, accessToken string) (p *scim.Profile, raw map[string]any, err error) {
	if accessToken == "" {
		return nil, nil, oauth.Invalid("me takes an access token string")
	}
	if len(accessToken) > limits.MaxTokenLength {
		return nil, nil, oauth.Invalid(limits.TooLong("the access token", limits.MaxTokenLength))
	}
	for i := 0; i < len(accessToken); i++ {
		// RFC 6750 §2.1: b64token characters only, so no header injection.
		if accessToken[i] <= ' ' || accessToken[i] >= 0x7f {
			return nil, nil, oauth.Invalid("the access token has characters a Bearer header cannot carry")
		}
	}
	req := &Request{Method: "GET", URL: c.cfg.MeEndpoint, Headers: [][2]string{
		{"Authorization", "Bearer " + accessToken},
		{"Accept", "application/json"},
	}}
	resp, m, err := c.send(ctx, "SCIM /me", req)
	if e, ok := err.(*oauth.Error); ok && (e.Status == 401 || e.Status == 403) {
		// An OAuth-shaped 401 from an API is about the token, not a sign-in.
		e.Code = oauth.HTTPError
		if e.Status == 401 {
			// RFC 6750 §3.1 invalid_token: say what to do, not only the status.
			e.Explain("the access token was refused, so it was revoked or has expired: refresh it (session.token()), or sign in again")
		}
	}
	if err != nil {
		return nil, nil, err
	}
	p, err = scim.Map(m)
	if e, ok := err.(*oauth.Error); ok {
		e.Status = resp.Status
	}
	return p, m, err
}
