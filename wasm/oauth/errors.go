// Package oauth is gotoauth's core: authorize URLs, redirect parsing, token
// normalisation across GoTo's four generations, and legacy URL migration.
// It is plain Go with no JS dependency, so everything here tests natively.
package oauth

import "gotoauth/wasm/limits"

// Code is a stable error code, the `code` of a GoToAuthError in JS.
type Code string

// The error codes of the public contract. They never change meaning.
const (
	InvalidArgument Code = "invalid_argument" // wrong type, missing or oversized input
	InvalidRedirect Code = "invalid_redirect" // malformed or ambiguous redirect URL
	InvalidResponse Code = "invalid_response" // a server answered 2xx with something that is not a token or profile
	StateMismatch   Code = "state_mismatch"   // unknown, foreign, missing or already used state
	StateExpired    Code = "state_expired"    // the pending request is older than its lifetime
	OAuthError      Code = "oauth_error"      // the server answered with an RFC 6749 §5.2 / §4.1.2.1 error
	Unsupported     Code = "unsupported"      // password grant, unknown flow
	Reauthenticate  Code = "reauthenticate"   // the refresh token is dead: sign in again
	HTTPError       Code = "http_error"       // non-2xx without an OAuth error body
	NetworkError    Code = "network_error"    // fetch failed
	Internal        Code = "internal"         // a bug in gotoauth; the module keeps working
)

// Error is every error gotoauth reports.
type Error struct {
	Code        Code
	Message     string
	OAuth       string // RFC 6749 error code, for OAuthError and Reauthenticate
	Description string // error_description
	URI         string // error_uri
	Status      int    // HTTP status, when there was a response
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

//go:noinline
func errorf(code Code, msg string) *Error { return &Error{Code: code, Message: msg} }

// Invalid is an InvalidArgument error: the caller's input was wrong.
//
//go:noinline
func Invalid(msg string) error { return &Error{Code: InvalidArgument, Message: msg} }

// tooLong is the error for a value longer than its limit (package limits).
//
//go:noinline
func tooLong(code Code, what string, max int) *Error {
	return errorf(code, what+" is longer than "+limits.Size(max))
}
