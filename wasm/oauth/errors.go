// Package oauth is gotoauth's core: authorize URLs, redirect parsing, token
// normalisation across GoTo's four generations, and legacy URL migration.
// It is plain Go with no JS dependency, so everything here tests natively.
package oauth

// Code is a stable error code, the `code` of a GoToAuthError in JS.
type Code string

// The error codes of the public contract. They never change meaning.
const (
	InvalidArgument Code = "invalid_argument"  // wrong type, missing or oversized input
	InvalidRedirect Code = "invalid_redirect"  // malformed or ambiguous redirect URL
	InvalidResponse Code = "invalid_response"  // a server answered 2xx with something that is not a token or profile
	StateMismatch   Code = "state_mismatch"    // unknown, foreign, missing or already used state
	StateExpired    Code = "state_expired"     // the pending request is older than its lifetime
	OAuthError      Code = "oauth_error"       // the server answered with an RFC 6749 §5.2 / §4.1.2.1 error
	Unsupported     Code = "unsupported"       // password grant, unknown flow
	Reauthenticate  Code = "reauthenticate"    // the refresh token is dead: sign in again
	HTTPError       Code = "http_error"        // non-2xx without an OAuth error body
	NetworkError    Code = "network_error"     // fetch failed
	CodeUsed        Code = "code_already_used" // exchangeCode was given a result whose code was already sent
	LoadFailed      Code = "load_failed"       // load() could not fetch, compile or start the module (JS only)
	PopupBlocked    Code = "popup_blocked"     // signInWithPopup: the browser did not open the popup (JS only)
	PopupClosed     Code = "popup_closed"      // signInWithPopup: the popup was closed before the sign-in came back (JS only)
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

// Limits on input sizes. Real values are far below them; anything larger is
// refused before it is parsed.
const (
	MaxURLLength   = 64 << 10 // a redirect carrying a JWT is a few KB
	MaxParamLength = 8 << 10  // client id, state, scope and the like
	MaxTokenLength = 32 << 10 // one token string
)
