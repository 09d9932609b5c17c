// Package relayapi is the contract between the client (wasm/client), which
// calls a token relay from a page, and the relay (web/relay): the one place
// its paths, header, cookie and answers are written down. Both sides
// import it; so do the tests.
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
// client reports reauthenticate, and the user signs in again. StatusRetry
// with a Retry-After header means "not now": nothing was decided about the
// sign-in (a store or an instance that cannot answer), and the page asks
// again later, keeping what it knows.
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
	// StatusRetry, with Retry-After, is a retryable answer (HTTP 503).
	StatusRetry = 503
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
