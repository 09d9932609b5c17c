package oauth

import "gotoauth/wasm/wire"

// The library's token shape: the one JSON object every generation becomes,
// with the names the JS API hands out (accessToken, tokenType, expiresIn,
// expiresAt, refreshToken, scope, principal, legacy, profile). WriteShape
// is its one writer: the bridge hands it to JS, and the token relay answers
// a page in it (relayapi), so that a page in relay mode stores what it gets
// with no Go of its own.

// WriteShape writes t in the library's token shape; withRefresh false
// leaves refreshToken out (what a relay answers a page).
func WriteShape(w *wire.Writer, t *Token, withRefresh bool) {
	w.Open('{').Field("accessToken", t.AccessToken).Field("tokenType", t.TokenType)
	if t.HasExpiry {
		w.Key("expiresIn").Int(t.ExpiresIn).Key("expiresAt").Int(t.ExpiresAt)
	}
	if withRefresh {
		w.OptField("refreshToken", t.RefreshToken)
	}
	w.Key("scope").Strings(t.Scope).OptField("principal", t.Principal)
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
