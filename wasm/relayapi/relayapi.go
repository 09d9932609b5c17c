// Package relayapi is the contract between the page, which calls a token
// relay (web/gotoauth-relay.js), and the relay (web/relay): the one place
// its paths, header, cookie and answers are written down. The relay and
// the tests import it; the page reads it from web/gotoauth-contract.js,
// which wasm/cmd/contract generates from it.
//
// The page posts, with its cookies (same origin) and the header
// Header: HeaderValue, to the relay's folder (Path when serve.go mounts
// it) plus:
//
//	TokenPath    form code, redirect_uri, code_verifier: redeems the code
//	RefreshPath  no body: a new access token for the refresh cookie
//	SignOutPath  no body: forgets the refresh cookie (204)
//
// The form carries no grant_type and no client authentication: the relay
// adds both (GrantType), as it holds the secret. A token answer is the
// library's token shape (oauth.WriteShape: camelCase, as the JS API hands
// tokens out, normalised from any of GoTo's generations) without
// refreshToken, which the relay keeps sealed in the HttpOnly cookie
// CookieName; every error is an RFC 6749 §5.2 body. StatusReauthenticate
// on RefreshPath means the relay holds no refresh token that works: the
// client reports reauthenticate, and the user signs in again.
//
// StatusRetry (503) with a Retry-After header, on RefreshPath or
// SignOutPath, means "not now": the relay could not carry the request out
// safely at this moment (its store cannot be reached, another instance is
// refreshing the same token and has not answered, or this instance lacks
// the key the cookie was sealed with while a key rotation is rolled out),
// and it set or cleared no cookie and ended no sign-in. It is never a
// sign-out. The relay's own such answers carry the error
// ErrorRetry and Retry-After: RetryAfterSeconds; a 503 that GoTo answered
// comes with GoTo's error and the relay's Retry-After. The page keeps its
// relay mark and sends the same request again after Retry-After, a few
// times (a few seconds in all), then reports that the user may try again,
// not that they must sign in again. A sign-out answered StatusRetry has
// not happened: the page must retry it, not report success.
package relayapi

// The relay's endpoints, relative to its folder.
const (
	TokenPath   = "token"
	RefreshPath = "refresh"
	SignOutPath = "signout"
)

const (
	// Path is where serve.go mounts the relay; the refresh cookie's Path.
	Path = "/relay/"
	// Header, with HeaderValue, marks a request as the page's own: a
	// cross-site form cannot send it, and a cross-origin fetch that does
	// must pass a CORS preflight first.
	Header      = "X-GoToAuth"
	HeaderValue = "1"
	// CookieName is the sealed refresh cookie's name.
	CookieName = "gotoauth_relay"
	// StatusReauthenticate is the relay's answer to a refresh without a
	// refresh token that works (HTTP 401).
	StatusReauthenticate = 401
	// StatusRetry is the relay's answer to a refresh or a sign-out that
	// may succeed if sent again after Retry-After (HTTP 503); see above.
	StatusRetry = 503
	// ErrorRetry is the error code of the relay's own StatusRetry answers
	// (RFC 6749 §4.1.2.1's temporarily_unavailable).
	ErrorRetry = "temporarily_unavailable"
	// RetryAfterSeconds is the Retry-After of the relay's own StatusRetry
	// answers.
	RetryAfterSeconds = 2
)

// GrantType is the grant_type the relay adds to the page's form on path
// (RFC 6749 §4.1.3, §6); "" for a path that sends nothing to GoTo.
func GrantType(path string) string {
	switch path {
	case TokenPath:
		return "authorization_code"
	case RefreshPath:
		return "refresh_token"
	}
	return ""
}
