package oauth_test

import (
	"net/url"
	"testing"
	"time"

	"gotoauth/wasm/oauth/oauthtest"
)

// fixedNow is the clock every deterministic test uses.
var fixedNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// wantCode fails unless err is an *oauth.Error with the given code.
var wantCode = oauthtest.WantCode

// mustParseURL parses with net/url, which the module itself does not use,
// so the check is independent of wasm/form.
func mustParseURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("net/url cannot parse %q: %v", raw, err)
	}
	return u
}

// single returns the only value of name in q, failing if it is missing or
// repeated.
func single(t *testing.T, q url.Values, name string) string {
	t.Helper()
	v, ok := q[name]
	if !ok {
		t.Fatalf("parameter %s missing from %v", name, q)
	}
	if len(v) != 1 {
		t.Fatalf("parameter %s given %d times: %v", name, len(v), v)
	}
	return v[0]
}
