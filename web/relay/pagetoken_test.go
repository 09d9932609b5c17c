package relay

import (
	"testing"
	"time"

	"gotoauth/wasm/oauth"
	"gotoauth/wasm/wire"
)

// The page gets the same token whether the relay reuses the token it read
// and normalised from GoTo (pageTokenOf) or reads the body it keeps again
// (pageToken, for an answer from the store): for every generation of GoTo's
// answer, and for strings and numbers that do not come back from JSON as
// they were written.
func TestPageTokenOfWhatPostRead(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, answer := range []string{
		`{"access_token":"a","token_type":"Bearer","expires_in":3600,"scope":"identity:scim.me collab:","principal":"p@x.com","refresh_token":"r"}`,
		`{"access_token":"a","expires_in":"3600","organizer_key":"1","account_key":"2","email":"e@x.com","firstName":"Ada"}`,
		`{"access_token":"a","expires_in":3600000,"username":"u","version":"3"}`,
		`{"access_token":"a","token_type":"Bearer","expires_in":3600.0,"organizer_key":18889842069694200,"x":{"y":[1e21,-0,1e-7]}}`,
		`{"access_token":"a\u2028<&>\"\\\n","token_type":"Bearer","principal":"bad utf-8 ` + "\xff" + `","expires_in":1e3}`,
		`{"access_token":"a","token_type":"Bearer","expires_in":null,"refresh_token":null}`,
	} {
		// As post reads GoTo's answer: normalised, then kept without its
		// refresh_token.
		m, err := wire.ParseObject([]byte(answer))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := oauth.NormalizeJSON(m, now)
		delete(m, "refresh_token")
		body := marshal(m)
		if err != nil {
			// Not a token: post answers 502 and never keeps it; a body
			// like it from elsewhere goes to the page as it is.
			if got := pageToken(body, now); string(got) != string(body) {
				t.Errorf("%s: not a token, yet rewritten: %s", answer, got)
			}
			continue
		}
		if got, want := string(pageTokenOf(tok)), string(pageToken(body, now)); got != want {
			t.Errorf("%s\nfrom what post read: %s\nfrom the kept body:  %s", answer, got, want)
		}
	}
}
