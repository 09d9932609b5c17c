//go:build js && wasm

package bridge

import (
	"time"

	"github.com/hack-pad/safejs"

	"gotoauth/pkce"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/options"
	"gotoauth/wasm/wire"
)

// pkce() → {verifier, challenge, method}
func pkceFunc(w *wire.Writer, _ string, _ []safejs.Value) error {
	v, err := pkce.NewVerifier()
	if err != nil {
		return &oauth.Error{Code: oauth.Internal, Message: err.Error()}
	}
	w.Open('{').Field("verifier", v).Field("challenge", pkce.Challenge(v)).Field("method", pkce.MethodS256).Close('}')
	return nil
}

// authorizeURL(options) → {url, state, flow, codeVerifier?, codeChallenge?}
func authorizeURL(w *wire.Writer, payload string, _ []safejs.Value) error {
	all, err := optionsArg(payload)
	if err != nil {
		return err
	}
	o, extra := splitExtra(all)
	r := oauth.AuthorizeRequest{
		ClientID: get(o, options.ClientID), RedirectURI: get(o, options.RedirectURI), Flow: get(o, options.Flow),
		State: get(o, options.State), Endpoint: get(o, options.AuthorizeEndpoint), Extra: extra,
	}
	r.Scope, _ = scope(o)
	a, err := oauth.BuildAuthorization(r)
	if err != nil {
		return err
	}
	writeAuthorization(w, a, true)
	return nil
}

func writeAuthorization(w *wire.Writer, a *oauth.Authorization, withVerifier bool) {
	w.Open('{').Field("url", a.URL).Field("state", a.State).Field("flow", a.Flow)
	if withVerifier && a.CodeVerifier != "" {
		w.Field("codeVerifier", a.CodeVerifier).Field("codeChallenge", a.CodeChallenge)
	}
	w.Close('}')
}

// parseRedirect(url) → the parsed response; an error response is a result
// here, not a failure, since no state was checked.
func parseRedirect(w *wire.Writer, payload string, _ []safejs.Value) error {
	r, err := oauth.ParseRedirectClock(payload, time.Now) // which bounds the URL
	if err != nil {
		return err
	}
	writeRedirect(w, r, nil)
	return nil
}

// writeRedirect writes a parsed response; more adds fields to it.
func writeRedirect(w *wire.Writer, r *oauth.Redirect, more func()) {
	w.Open('{').Field("kind", r.Kind).Field("state", r.State)
	switch r.Kind {
	case oauth.KindCode:
		w.Field("code", r.Code)
	case oauth.KindToken:
		w.Key("token")
		writeToken(w, r.Token)
	case oauth.KindError:
		w.Field("error", r.Err.OAuth).OptField("errorDescription", r.Err.Description).OptField("errorURI", r.Err.URI)
	}
	if more != nil {
		more()
	}
	w.Close('}')
}

func writeToken(w *wire.Writer, t *oauth.Token) {
	w.Open('{').Field("accessToken", t.AccessToken).Field("tokenType", t.TokenType)
	if t.HasExpiry {
		w.Key("expiresIn").Int(t.ExpiresIn).Key("expiresAt").Int(t.ExpiresAt)
	}
	w.OptField("refreshToken", t.RefreshToken).Key("scope").Strings(t.Scope).OptField("principal", t.Principal)
	if t.Legacy == "" {
		w.Key("legacy").Null()
	} else {
		w.Field("legacy", t.Legacy)
	}
	if len(t.Profile) > 0 {
		w.Key("profile").Open('{')
		for _, f := range t.Profile {
			w.Field(f.Name, f.Value)
		}
		w.Close('}')
	}
	w.Close('}')
}

// normalizeTokenResponse(json) → token. The loader sends an object as
// its JSON.stringify text.
func normalizeTokenResponse(w *wire.Writer, payload string, _ []safejs.Value) error {
	m, err := wire.ParseObject([]byte(payload))
	if err != nil {
		return oauth.Invalid("normalizeTokenResponse takes a token response object or its JSON text: " + err.Error())
	}
	t, err := oauth.NormalizeJSON(m, time.Now())
	if e, ok := err.(*oauth.Error); ok && e.Code == oauth.InvalidResponse {
		// Here the response is the caller's argument.
		e.Code = oauth.InvalidArgument
	}
	if err != nil {
		return err
	}
	writeToken(w, t)
	return nil
}

// checkBearerURL(origin) → null, or invalid_argument where session.fetch
// must not send its bearer token.
func checkBearerURL(w *wire.Writer, payload string, _ []safejs.Value) error {
	if err := oauth.CheckBearerURL(payload); err != nil {
		return err
	}
	w.Null()
	return nil
}

// migrateURL(url) → {url, changed, notes}
func migrateURL(w *wire.Writer, payload string, _ []safejs.Value) error {
	m, err := oauth.MigrateURL(payload) // which bounds the URL
	if err != nil {
		return err
	}
	w.Open('{').Field("url", m.URL).Key("changed").Bool(m.Changed).Key("notes").Strings(m.Notes).Close('}')
	return nil
}
