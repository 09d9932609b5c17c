//go:build js && wasm

package bridge

import (
	"time"

	"github.com/hack-pad/safejs"

	"gotoauth/wasm/browser"

	"gotoauth/pkce"
	"gotoauth/wasm/oauth"
)

// pkce() → {verifier, challenge, method}
func pkceFunc(_ []safejs.Value) (any, error) {
	v, err := pkce.NewVerifier()
	if err != nil {
		return nil, &oauth.Error{Code: oauth.Internal, Message: err.Error()}
	}
	return map[string]any{"verifier": v, "challenge": pkce.Challenge(v), "method": pkce.MethodS256}, nil
}

// authorizeURL(options) → {url, state, codeVerifier?, codeChallenge?, flow}
func authorizeURL(args []safejs.Value) (any, error) {
	o, ok, err := options(arg(args, 0), "authorizeURL options")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, invalid("authorizeURL takes an options object with at least clientId")
	}
	var r oauth.AuthorizeRequest
	if r.ClientID, err = optString(o, "clientId", oauth.MaxParamLength); err != nil {
		return nil, err
	}
	if r.RedirectURI, err = optString(o, "redirectUri", oauth.MaxParamLength); err != nil {
		return nil, err
	}
	if r.Flow, err = optString(o, "flow", oauth.MaxParamLength); err != nil {
		return nil, err
	}
	if r.State, err = optString(o, "state", oauth.MaxParamLength); err != nil {
		return nil, err
	}
	if r.Endpoint, err = optString(o, "authorizeEndpoint", oauth.MaxParamLength); err != nil {
		return nil, err
	}
	if r.Scope, _, err = scopeField(o); err != nil {
		return nil, err
	}
	if r.Extra, err = extraParams(o); err != nil {
		return nil, err
	}
	a, err := oauth.BuildAuthorization(r)
	if err != nil {
		return nil, err
	}
	return authorizationJS(a, true), nil
}

func authorizationJS(a *oauth.Authorization, withVerifier bool) map[string]any {
	m := map[string]any{"url": a.URL, "state": a.State, "flow": a.Flow}
	if a.CodeVerifier != "" && withVerifier {
		m["codeVerifier"] = a.CodeVerifier
		m["codeChallenge"] = a.CodeChallenge
	}
	return m
}

// parseRedirect(url) → the parsed response; an error response is a result
// here, not a throw, since no state was checked.
func parseRedirect(args []safejs.Value) (any, error) {
	u, err := browser.String(arg(args, 0), "parseRedirect's url", oauth.MaxURLLength)
	if err != nil {
		return nil, err
	}
	r, err := oauth.ParseRedirect(u, time.Now())
	if err != nil {
		return nil, err
	}
	return redirectJS(r), nil
}

func redirectJS(r *oauth.Redirect) map[string]any {
	m := map[string]any{"kind": r.Kind, "state": r.State}
	switch r.Kind {
	case oauth.KindCode:
		m["code"] = r.Code
	case oauth.KindToken:
		m["token"] = tokenJS(r.Token)
	case oauth.KindError:
		m["error"] = r.Err.OAuth
		if r.Err.Description != "" {
			m["errorDescription"] = r.Err.Description
		}
		if r.Err.URI != "" {
			m["errorURI"] = r.Err.URI
		}
	}
	return m
}

func tokenJS(t *oauth.Token) map[string]any {
	scope := make([]any, len(t.Scope))
	for i, s := range t.Scope {
		scope[i] = s
	}
	m := map[string]any{
		"accessToken": t.AccessToken,
		"tokenType":   t.TokenType,
		"scope":       scope,
		"legacy":      nil,
	}
	if t.HasExpiry {
		m["expiresIn"] = t.ExpiresIn
		m["expiresAt"] = t.ExpiresAt
	}
	if t.RefreshToken != "" {
		m["refreshToken"] = t.RefreshToken
	}
	if t.Principal != "" {
		m["principal"] = t.Principal
	}
	if t.Legacy != "" {
		m["legacy"] = t.Legacy
	}
	if len(t.Profile) > 0 {
		p := make(map[string]any, len(t.Profile))
		for _, f := range t.Profile {
			p[f.Name] = f.Value
		}
		m["profile"] = p
	}
	return m
}

// normalizeTokenResponse(objectOrJSONString) → token
func normalizeTokenResponse(args []safejs.Value) (any, error) {
	v := arg(args, 0)
	if browser.TypeOf(v) == safejs.TypeString {
		if _, err := browser.String(v, "the token response", 1<<20); err != nil {
			return nil, err
		}
		parsed, err := browser.JSON.Call("parse", v)
		if err != nil {
			return nil, invalid("the token response is not valid JSON")
		}
		v = parsed
	}
	if browser.TypeOf(v) != safejs.TypeObject || v.IsNull() || browser.IsArray(v) {
		return nil, invalid("normalizeTokenResponse takes a token response object or its JSON text, not " + browser.TypeName(v))
	}
	g, err := browser.ToGo(v)
	if err != nil {
		return nil, err
	}
	t, err := oauth.NormalizeJSON(g.(map[string]any), time.Now())
	if e, ok := err.(*oauth.Error); ok && e.Code == oauth.InvalidResponse {
		// Here the response is the caller's argument.
		e.Code = oauth.InvalidArgument
	}
	if err != nil {
		return nil, err
	}
	return tokenJS(t), nil
}

// migrateURL(url) → {url, changed, notes}
func migrateURL(args []safejs.Value) (any, error) {
	u, err := browser.String(arg(args, 0), "migrateURL's url", oauth.MaxURLLength)
	if err != nil {
		return nil, err
	}
	m, err := oauth.MigrateURL(u)
	if err != nil {
		return nil, err
	}
	notes := make([]any, len(m.Notes))
	for i, n := range m.Notes {
		notes[i] = n
	}
	return map[string]any{"url": m.URL, "changed": m.Changed, "notes": notes}, nil
}
