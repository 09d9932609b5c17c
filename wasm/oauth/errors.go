// Package oauth is gotoauth's core: authorize URLs, redirect parsing, token
// normalisation across GoTo's four generations, and legacy URL migration.
// It is plain Go with no JS dependency, so everything here tests natively.
package oauth

import (
	"strings"

	"gotoauth/wasm/limits"
)

// Code is a stable error code, the `code` of a GoToAuthError in JS.
type Code string

// The error codes of the public contract, one line each: the code and what
// it means. This list is their one home, codes only JavaScript throws
// (load_failed, popup_*) included: go generate (wasm/cmd/contract) writes
// it into web/gotoauth-contract.js, whose constants the loader throws,
// web/gotoauth.d.ts's GoToAuthErrorCode and README.md's error table. A new
// code is one line here and go generate; a code never changes meaning.
const (
	InvalidArgument Code = "invalid_argument"  // wrong types, an unknown option (the message names the nearest known one: `redirectURI` → `redirectUri`, `relayUrl` → `relay`), missing `clientId`, oversized input, `timeoutMs` out of range, arguments whose getters or Proxy traps throw, an unchecked result given to `exchangeCode`
	InvalidRedirect Code = "invalid_redirect"  // a malformed or ambiguous redirect: duplicated parameters, a token in the query, code and token together, none of code, token or error
	InvalidResponse Code = "invalid_response"  // a 2xx answer that is not a token or a profile, or an answer over the body limit (reading stops there)
	StateMismatch   Code = "state_mismatch"    // an unknown, foreign (another client's), missing or already used state
	StateExpired    Code = "state_expired"     // the sign-in outlived its state's lifetime
	OAuthError      Code = "oauth_error"       // the server answered with an OAuth error (RFC 6749 §5.2, §4.1.2.1); see `.error`, `.errorDescription`, `.errorURI`, `.status`
	Unsupported     Code = "unsupported"       // the password grant (deprecated; use the code flow) or an unknown flow
	Reauthenticate  Code = "reauthenticate"    // the refresh token is dead (`invalid_grant`, or GoToConnect's `unsupported.jwt`) or the relay holds none: sign in again
	HTTPError       Code = "http_error"        // a non-2xx answer without an OAuth error body; see `.status`
	NetworkError    Code = "network_error"     // fetch failed, or no whole answer came within `timeoutMs`
	CodeUsed        Code = "code_already_used" // `exchangeCode` was given a result whose code was already sent (even if that exchange failed): a code is used once, sign in again
	LoadFailed      Code = "load_failed"       // `load()` could not fetch, read, compile or start `gotoauth.wasm`; the message says what was tried
	PopupBlocked    Code = "popup_blocked"     // `signInWithPopup`: the browser did not open the popup (call it from a click, or allow popups)
	PopupClosed     Code = "popup_closed"      // `signInWithPopup`: the popup was closed before the sign-in finished
	TryAgain        Code = "try_again"         // the relay answered "not now" (HTTP 503 with `Retry-After`) for longer than `session.token()` retries (`relayRetryMs`): nothing was signed out, try again in a moment; `.error`, `.errorDescription`, `.status` carry the relay's answer
	NotReady        Code = "not_ready"         // a synchronous call that needs the module (`pkce`, `authorizeURL`, `parseRedirect`, `normalizeTokenResponse`, `migrateURL`, `client.authorize`) came before it ran, which happens only after a `load()` that resolved at once (a signed-in reload in relay mode): `await gotoauth.ready()` first
	Internal        Code = "internal"          // a bug in gotoauth; the module keeps working
)

// Explain makes e's message one sentence that leads with what it means to
// the caller, the server's own words kept after it in parentheses:
// "the refresh token can no longer be used; sign in again (the relay
// answered invalid_grant: "...")". It is the one place a message is added
// to; nothing stacks a prefix on another.
func (e *Error) Explain(lead string) {
	e.Message = lead + " (" + e.Message + ")"
}

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
	return errorf(code, limits.TooLong(what, max))
}

// DeadRefreshToken is the one rule for "this refresh token can never be
// used again", for the client and the relay: GoTo's invalid_grant
// (RFC 6749 §5.2), or its answer to a GoToConnect refresh token,
// invalid_request with "unsupported.jwt" (GoTo's guide "Migrating from
// GoToConnect (auth.jive.com) to LogMeIn Authentication API").
func DeadRefreshToken(e *Error) bool {
	return e != nil && e.Code == OAuthError && (e.OAuth == "invalid_grant" ||
		e.OAuth == "invalid_request" && strings.Contains(e.Description, "unsupported.jwt"))
}
