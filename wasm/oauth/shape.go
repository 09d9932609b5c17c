package oauth

import (
	"time"

	"gotoauth/wasm/limits"
	"gotoauth/wasm/wire"
)

// The library's token shape: the one JSON object every generation becomes,
// with the names the JS API hands out (accessToken, tokenType, expiresIn,
// expiresAt, refreshToken, scope, principal, legacy, profile). WriteShape
// is its one writer: the bridge hands it to JS, and the token relay answers
// a page in it (relayapi), so that a page in relay mode stores what it gets
// with no Go of its own. ReadShape reads it back (the Go client through a
// relay).

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

// ReadShape reads a token that WriteShape wrote (as wire.ParseObject read
// it). expiresAt is computed again from expiresIn with this side's clock,
// now: the writer's clock may differ from the reader's.
func ReadShape(m map[string]any, now time.Time) (*Token, error) {
	bad := func(what string) (*Token, error) {
		return nil, errorf(InvalidResponse, "the token's "+what)
	}
	t := &Token{TokenType: "Bearer"}
	var ok bool
	if t.AccessToken, ok = m["accessToken"].(string); !ok || t.AccessToken == "" || len(t.AccessToken) > limits.MaxTokenLength {
		return bad("accessToken is missing or malformed")
	}
	if tt, _ := m["tokenType"].(string); !isBearer(tt) {
		return bad("tokenType is not Bearer")
	}
	if v, has := m["expiresIn"]; has {
		n, isNum := v.(float64)
		if !isNum || n < 0 || n != float64(int64(n)) || n > float64(limits.MaxExpiresIn/time.Second) {
			return bad("expiresIn is not a whole number of seconds")
		}
		t.ExpiresIn, t.HasExpiry, t.ExpiresAt = int64(n), true, now.UnixMilli()+int64(n)*1000
	}
	if v, has := m["refreshToken"]; has {
		if t.RefreshToken, ok = v.(string); !ok || len(t.RefreshToken) > limits.MaxTokenLength {
			return bad("refreshToken is malformed")
		}
	}
	scope, _ := m["scope"].([]any)
	t.Scope = make([]string, 0, len(scope))
	for _, s := range scope {
		str, isStr := s.(string)
		if !isStr {
			return bad("scope is not a list of strings")
		}
		t.Scope = append(t.Scope, str)
	}
	t.Principal, _ = m["principal"].(string)
	t.Legacy, _ = m["legacy"].(string)
	if p, isObj := m["profile"].(map[string]any); isObj {
		for _, name := range profileFields {
			if s, isStr := p[name].(string); isStr {
				t.Profile = append(t.Profile, Field{name, s})
			}
		}
	}
	return t, nil
}
