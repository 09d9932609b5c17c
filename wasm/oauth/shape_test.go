package oauth

import (
	"testing"
	"time"

	"gotoauth/wasm/wire"
)

// The relay writes the shape with one clock, the page reads it with
// another: expiresAt is the reader's, the rest comes back as written, and
// the relay's answer never carries the refresh token.
func TestShapeRoundTrip(t *testing.T) {
	written := time.Unix(1000, 0)
	in := &Token{AccessToken: "a", TokenType: "Bearer", ExpiresIn: 3600, HasExpiry: true, ExpiresAt: written.UnixMilli() + 3600_000,
		RefreshToken: "r", Scope: []string{"x", "y"}, Principal: "p", Legacy: LegacyGetGoV2, Profile: []Field{{"email", "e"}}}
	w := wire.NewWriter(0)
	WriteShape(w, in, false)
	m, err := wire.ParseObject(w.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	read := time.Unix(2000, 0)
	out, err := ReadShape(m, read)
	if err != nil {
		t.Fatal(err)
	}
	if out.AccessToken != "a" || out.RefreshToken != "" || out.ExpiresIn != 3600 || out.ExpiresAt != read.UnixMilli()+3600_000 ||
		len(out.Scope) != 2 || out.Principal != "p" || out.Legacy != LegacyGetGoV2 || len(out.Profile) != 1 {
		t.Fatalf("%s read as %+v", w.Bytes(), out)
	}
	for _, bad := range []string{`{}`, `{"accessToken":"a","tokenType":"mac"}`, `{"accessToken":"a","tokenType":"Bearer","expiresIn":-1}`, `{"accessToken":"a","tokenType":"Bearer","scope":[1]}`} {
		m, _ := wire.ParseObject([]byte(bad))
		if _, err := ReadShape(m, read); err == nil {
			t.Errorf("%s was read", bad)
		}
	}
}
