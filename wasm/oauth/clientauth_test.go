package oauth

import (
	"strings"
	"testing"

	"gotoauth/wasm/limits"
)

func TestCheckClient(t *testing.T) {
	long := strings.Repeat("a", limits.MaxParamLength+1)
	for _, tc := range []struct {
		id, secret string
		ok         bool
	}{
		{"client", "", true},
		{"client", "s+e/c=", true},
		{"a:b", "", true}, // a public client's id goes in the body, not in Basic
		{"", "", false},
		{"", "secret", false},
		{"a:b", "secret", false},
		{"a\nb", "", false},
		{"client", "secret\n", false},
		{"client", "se\x7fcret", false},
		{long, "", false},
		{"client", long, false},
	} {
		err := CheckClient(tc.id, tc.secret, "clientId")
		if (err == nil) != tc.ok {
			t.Errorf("CheckClient(%q, %q) = %v, want ok=%v", tc.id, tc.secret, err, tc.ok)
		}
		if e, isErr := err.(*Error); err != nil && (!isErr || e.Code != InvalidArgument || !strings.Contains(e.Message, "clientId")) {
			t.Errorf("CheckClient(%q, %q): %v does not name clientId as an invalid argument", tc.id, tc.secret, err)
		}
	}
}

func TestDeadRefreshToken(t *testing.T) {
	for _, tc := range []struct {
		e    *Error
		dead bool
	}{
		{&Error{Code: OAuthError, OAuth: "invalid_grant"}, true},
		{&Error{Code: OAuthError, OAuth: "invalid_request", Description: "unsupported.jwt"}, true},
		{&Error{Code: OAuthError, OAuth: "invalid_request", Description: "missing code"}, false},
		{&Error{Code: OAuthError, OAuth: "invalid_client"}, false},
		{&Error{Code: HTTPError, Status: 400, OAuth: "invalid_grant"}, false},
		{&Error{Code: NetworkError}, false},
		{nil, false},
	} {
		if got := DeadRefreshToken(tc.e); got != tc.dead {
			t.Errorf("DeadRefreshToken(%+v) = %v", tc.e, got)
		}
	}
}
