package oauth

// GoTo's endpoints since 2021, the one home of the defaults: the client,
// the relay and web/gotoauth.d.ts (held to these by endpoints_test.go)
// use them when no endpoint is given.
const (
	DefaultAuthorizeEndpoint = "https://authentication.logmeininc.com/oauth/authorize"
	DefaultTokenEndpoint     = "https://authentication.logmeininc.com/oauth/token"
	// DefaultMeEndpoint is SCIM /me; it needs no scope.
	DefaultMeEndpoint = "https://api.getgo.com/identity/v1/Users/me"
)

// DefaultAPIOrigins are GoTo's API hosts, space-separated: the origins
// session.fetch sends the bearer token to when the client names no
// apiOrigins (the loader holds them, through gotoauth-contract.js).
const DefaultAPIOrigins = "https://api.getgo.com https://api.goto.com https://api.jive.com"
