package emulator

import (
	"net/http"
	"net/url"
	"testing"
)

// A revoked refresh token gets invalid_grant, and its access token stops
// working; the client authenticates as at the token endpoint.
func TestRevoke(t *testing.T) {
	v := newEnv(t, Config{})
	basic := []string{BackendClientID, BackendClientSecret}
	tokens := func() (at, rt string) {
		rec := v.token("/goto/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {v.code(codeQuery(BackendClientID))}, "redirect_uri": {redirect}}, basic...)
		m := decode(t, rec)
		return m["access_token"].(string), m["refresh_token"].(string)
	}
	at, rt := tokens()
	revoke := func(form url.Values, basic ...string) int {
		return v.token("/goto/oauth/revoke", form, basic...).Code
	}
	// Refused: no client authentication, the wrong secret, no token.
	if c := revoke(url.Values{"token": {rt}}); c != http.StatusUnauthorized {
		t.Errorf("without authentication: %d", c)
	}
	if c := revoke(url.Values{"token": {rt}}, BackendClientID, "wrong"); c != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d", c)
	}
	if c := revoke(url.Values{"token_type_hint": {"refresh_token"}}, basic...); c != http.StatusBadRequest {
		t.Errorf("no token: %d", c)
	}
	if c := v.do(req{path: "/goto/oauth/revoke"}).Code; c != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", c)
	}
	if v.meStatus(at) != http.StatusOK {
		t.Fatal("a refused revocation revoked")
	}

	if c := revoke(url.Values{"token": {rt}, "token_type_hint": {"refresh_token"}}, basic...); c != http.StatusOK {
		t.Fatalf("revoke: %d", c)
	}
	wantOAuthError(t, v.token("/goto/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, basic...), 400, "invalid_grant")
	if v.meStatus(at) != http.StatusUnauthorized {
		t.Error("the grant's access token survived the revocation")
	}
	// Again, or an unknown token: 200 all the same (RFC 7009 §2.2).
	if c := revoke(url.Values{"token": {rt}}, basic...); c != http.StatusOK {
		t.Errorf("revoked twice: %d", c)
	}
	// Another sign-in is untouched.
	at2, rt2 := tokens()
	if v.meStatus(at2) != http.StatusOK {
		t.Error("another grant was revoked")
	}
	if rec := v.token("/goto/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt2}}, basic...); rec.Code != 200 {
		t.Errorf("another grant's refresh: %d %s", rec.Code, rec.Body)
	}
}
