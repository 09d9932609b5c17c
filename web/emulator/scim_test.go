package emulator

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestMe(t *testing.T) {
	v := newEnv(t, Config{})
	at := decode(t, v.token("/goto/oauth/token", publicExchange(v.publicCode())))["access_token"].(string)
	const invalid = `{"int_err_code":"InvalidToken","msg":"Invalid token passed"}`

	rec := v.do(req{path: "/goto/identity/v1/Users/me", header: http.Header{"Authorization": {"Bearer " + at}}})
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	want := `{"schemas":["urn:scim:schemas:core:1.0","urn:scim:schemas:extension:getgo:1.0"],` +
		`"id":"8439885694023999999","userName":"mister.jones@fakemail.com","displayName":"Moon Beam",` +
		`"name":{"givenName":"Moon","familyName":"Beam"},"locale":"en_US","timezone":"America/New_York",` +
		`"meta":{"created":"2018-04-01T12:00:00.000Z","location":"https://api.getgo.com/identity/v1/Users/8439885694023999999"},` +
		`"urn:scim:schemas:extension:getgo:1.0":{"accounts":[{"value":"9999982253621659654","display":"Beam Corp","entitlements":["acctadmin","gotoconnect"]}]}}`
	if rec.Body.String() != want {
		t.Errorf("/me body\n got %s\nwant %s", rec.Body, want)
	}

	tests := []struct {
		name string
		auth []string
	}{
		{"no header", nil},
		{"unknown token", []string{"Bearer nope"}},
		{"basic scheme", []string{"Basic " + at}},
		{"empty bearer", []string{"Bearer "}},
		{"refresh token as access", []string{"Bearer " + decode(t, v.token("/goto/oauth/token", publicExchange(v.publicCode())))["refresh_token"].(string)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := req{path: "/goto/identity/v1/Users/me"}
			if tc.auth != nil {
				r.header = http.Header{"Authorization": tc.auth}
			}
			rec := v.do(r)
			if rec.Code != 401 || rec.Body.String() != invalid {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
	if rec := v.do(req{method: http.MethodPost, path: "/goto/identity/v1/Users/me", body: "x=1"}); rec.Code != 405 {
		t.Errorf("POST /me: %d", rec.Code)
	}

	// Expiry by the clock.
	v.clk.advance(time.Hour)
	if v.meStatus(at) != 401 {
		t.Error("expired access token accepted")
	}
	// Expiry by the control endpoint.
	at = decode(t, v.token("/goto/oauth/token", publicExchange(v.publicCode())))["access_token"].(string)
	ctl := v.do(req{method: http.MethodPost, path: "/goto/_emulator/expire-access-token", body: url.Values{"access_token": {at}}.Encode()})
	if ctl.Code != 204 {
		t.Fatalf("expire: %d", ctl.Code)
	}
	if v.meStatus(at) != 401 {
		t.Error("expired (control) access token accepted")
	}
}
