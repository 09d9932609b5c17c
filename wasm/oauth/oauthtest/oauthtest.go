// Package oauthtest holds the assertion every gotoauth test package makes:
// that an error is an *oauth.Error with a given stable code.
package oauthtest

import (
	"errors"
	"testing"

	"gotoauth/wasm/oauth"
)

// WantCode fails t unless err is an *oauth.Error with code, and returns it.
func WantCode(t testing.TB, err error, code oauth.Code) *oauth.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	var e *oauth.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *oauth.Error, want %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %q (%s), want %q", e.Code, e.Message, code)
	}
	if e.Message == "" {
		t.Fatalf("%s error has no message", code)
	}
	return e
}
