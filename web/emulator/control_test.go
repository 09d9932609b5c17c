package emulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestControlEndpoints(t *testing.T) {
	v := newEnv(t, Config{})
	for _, tc := range []struct{ path, key string }{
		{"/goto/_emulator/age-refresh-token", "refresh_token"},
		{"/goto/_emulator/expire-access-token", "access_token"},
	} {
		if rec := v.do(req{method: http.MethodPost, path: tc.path, body: url.Values{tc.key: {"unknown"}}.Encode()}); rec.Code != 404 {
			t.Errorf("%s unknown: %d", tc.path, rec.Code)
		}
		if rec := v.do(req{path: tc.path}); rec.Code != 405 || rec.Header().Get("Allow") == "" {
			t.Errorf("%s GET: %d", tc.path, rec.Code)
		}
	}
	if rec := v.do(req{path: "/goto/nothing"}); rec.Code != 404 {
		t.Errorf("unknown path: %d", rec.Code)
	}
}

// TestAgeRefreshTokensOfClient ages every refresh token of one client, as
// a test that signs in through a token relay, which never shows it the
// refresh token, does: each one's next refresh rotates it. Other clients'
// tokens are left alone.
func TestAgeRefreshTokensOfClient(t *testing.T) {
	v := newEnv(t, Config{})
	rts := make([]string, 2)
	for i := range rts {
		rts[i] = decode(t, v.token("/goto/oauth/token", publicExchange(v.publicCode())))["refresh_token"].(string)
	}
	backendCode := v.code(codeQuery(BackendClientID))
	backendRT := decode(t, v.token("/goto/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {backendCode},
		"redirect_uri": {redirect}}, BackendClientID, BackendClientSecret))["refresh_token"].(string)

	age := func(form url.Values) *httptest.ResponseRecorder {
		return v.do(req{method: http.MethodPost, path: "/goto/_emulator/age-refresh-token", body: form.Encode()})
	}
	wantOAuthError(t, age(url.Values{}), 400, "invalid_request")
	wantOAuthError(t, age(url.Values{"client_id": {PublicClientID}, "refresh_token": {rts[0]}}), 400, "invalid_request")
	wantOAuthError(t, age(url.Values{"client_id": {"nobody"}}), 404, "not_found")
	if rec := age(url.Values{"client_id": {PublicClientID}}); rec.Code != http.StatusNoContent {
		t.Fatalf("age by client_id: %d %s", rec.Code, rec.Body)
	}
	for _, rt := range rts {
		rec := v.token("/goto/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {PublicClientID}})
		if m := decode(t, rec); rec.Code != 200 || m["refresh_token"] == nil || m["refresh_token"] == rt {
			t.Errorf("aged refresh token not rotated: %d %s", rec.Code, rec.Body)
		}
	}
	rec := v.token("/goto/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {backendRT}}, BackendClientID, BackendClientSecret)
	if m := decode(t, rec); rec.Code != 200 || m["refresh_token"] != nil {
		t.Errorf("another client's refresh token was aged: %d %s", rec.Code, rec.Body)
	}
}
