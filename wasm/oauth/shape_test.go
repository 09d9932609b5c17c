package oauth

import (
	"testing"

	"gotoauth/wasm/wire"
)

// The shape is the JS API's token; a relay's answer leaves refreshToken out.
func TestWriteShape(t *testing.T) {
	tok := &Token{AccessToken: "a", TokenType: "Bearer", ExpiresIn: 3600, HasExpiry: true, ExpiresAt: 5,
		RefreshToken: "r", Scope: []string{"x", "y"}, Principal: "p", Legacy: LegacyGetGoV2, Profile: []Field{{"email", "e"}}}
	for withRefresh, want := range map[bool]string{
		true:  `{"accessToken":"a","tokenType":"Bearer","expiresIn":3600,"expiresAt":5,"refreshToken":"r","scope":["x","y"],"principal":"p","legacy":"getgo-v2","profile":{"email":"e"}}`,
		false: `{"accessToken":"a","tokenType":"Bearer","expiresIn":3600,"expiresAt":5,"scope":["x","y"],"principal":"p","legacy":"getgo-v2","profile":{"email":"e"}}`,
	} {
		w := wire.NewWriter(0)
		WriteShape(w, tok, withRefresh)
		if got := w.String(); got != want {
			t.Errorf("withRefresh %v:\n got %s\nwant %s", withRefresh, got, want)
		}
	}
	w := wire.NewWriter(0)
	WriteShape(w, &Token{AccessToken: "a", TokenType: "Bearer", Scope: []string{}}, false)
	if got := w.String(); got != `{"accessToken":"a","tokenType":"Bearer","scope":[],"legacy":null}` {
		t.Errorf("no expiry: %s", got)
	}
}
