package relay

import (
	"errors"
	"net/url"

	"gotoauth/wasm/oauth"
)

// The environment variables that configure a relay, as
// gotoauth/web/relay/relayenv reads them (with a _FILE form for each
// secret). The configuration comes from the environment and never from
// flags: a secret on a command line shows in ps and in shell history.
const (
	EnvClientID      = "GOTO_CLIENT_ID"
	EnvClientSecret  = "GOTO_CLIENT_SECRET"
	EnvTokenEndpoint = "GOTO_TOKEN_ENDPOINT"
	EnvCookieKey     = "GOTOAUTH_COOKIE_KEY"
	// EnvOldCookieKeys are keys, comma-separated, that only open cookies:
	// the keys being rotated out (Config.OldCookieKeys).
	EnvOldCookieKeys = "GOTOAUTH_COOKIE_OLD_KEYS"
	// EnvRedisURL selects the Redis store: redis://… or rediss://…, or a
	// Sentinel URL.
	EnvRedisURL = "GOTOAUTH_REDIS_URL"
	// EnvRevocationEndpoint turns on revocation at sign-out (RFC 7009).
	EnvRevocationEndpoint = "GOTO_REVOCATION_ENDPOINT"
)

// CheckEndpoint checks a token or revocation endpoint named what: https,
// or http on a loopback host (RFC 6749 §3.2 requires TLS; oauth.CheckEndpoint),
// and no user information, which would be a second, unlogged credential in
// the URL. The error names what, never the URL.
func CheckEndpoint(what, endpoint string) error {
	if err := oauth.CheckEndpoint(what, endpoint); err != nil {
		return errors.New(err.(*oauth.Error).Message)
	}
	if u, err := url.Parse(endpoint); err != nil || u.User != nil {
		return errors.New(what + " must be a plain https URL, without user information")
	}
	return nil
}
