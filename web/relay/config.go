package relay

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"

	"gotoauth/wasm/oauth"
	"gotoauth/web/relay/store/redisstore"
)

// The environment variables ConfigFromEnv reads. The configuration comes from
// the environment and never from flags: a secret on a command line shows in
// ps and in shell history.
const (
	EnvClientID      = "GOTO_CLIENT_ID"
	EnvClientSecret  = "GOTO_CLIENT_SECRET"
	EnvTokenEndpoint = "GOTO_TOKEN_ENDPOINT"
	EnvCookieKey     = "GOTOAUTH_COOKIE_KEY"
	// EnvOldCookieKeys are keys, comma-separated, that only open cookies:
	// the keys being rotated out (Config.OldCookieKeys).
	EnvOldCookieKeys = "GOTOAUTH_COOKIE_OLD_KEYS"
	// EnvRedisURL selects the Redis store: redis://… or rediss://….
	EnvRedisURL = "GOTOAUTH_REDIS_URL"
	// EnvRevocationEndpoint turns on revocation at sign-out (RFC 7009).
	EnvRevocationEndpoint = "GOTO_REVOCATION_ENDPOINT"
)

// ConfigFromEnv reads the client, the token endpoint and the cookie key
// through getenv (os.Getenv, or a map in tests). GOTO_CLIENT_ID and
// GOTO_CLIENT_SECRET are required; GOTO_TOKEN_ENDPOINT defaults to
// oauth.DefaultTokenEndpoint and must be https (http only on a loopback
// host); GOTOAUTH_COOKIE_KEY, when set, is 32 random bytes in base64
// (standard or URL alphabet, padded or not), for example from
// `head -c 32 /dev/urandom | base64`; GOTOAUTH_COOKIE_OLD_KEYS, when set,
// is such keys separated by commas; GOTO_REVOCATION_ENDPOINT, when set, is
// checked like the token endpoint; GOTOAUTH_REDIS_URL, when set, selects
// the Redis store (redisstore.NewFromURL; it connects on first use). Errors
// name the variable, never its value. The caller adds AllowedOrigins and
// the rest of Config.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		ClientID:      getenv(EnvClientID),
		ClientSecret:  getenv(EnvClientSecret),
		TokenEndpoint: strings.TrimSpace(getenv(EnvTokenEndpoint)),
	}
	var missing []string
	if cfg.ClientID == "" {
		missing = append(missing, EnvClientID)
	}
	if cfg.ClientSecret == "" {
		missing = append(missing, EnvClientSecret)
	}
	if len(missing) > 0 {
		return Config{}, errors.New(strings.Join(missing, " and ") + " must be set: the relay authenticates to GoTo's token endpoint with the client's id and secret")
	}
	if err := oauth.CheckClient(cfg.ClientID, cfg.ClientSecret, EnvClientID); err != nil {
		return Config{}, errors.New(err.(*oauth.Error).Message)
	}
	if cfg.TokenEndpoint == "" {
		cfg.TokenEndpoint = oauth.DefaultTokenEndpoint
	}
	if err := checkEndpoint(EnvTokenEndpoint, cfg.TokenEndpoint); err != nil {
		return Config{}, err
	}
	if v := strings.TrimSpace(getenv(EnvCookieKey)); v != "" {
		key, err := ParseKey(v)
		if err != nil {
			return Config{}, err
		}
		cfg.CookieKey = key
	}
	if v := strings.TrimSpace(getenv(EnvOldCookieKeys)); v != "" {
		if cfg.CookieKey == nil {
			return Config{}, errors.New(EnvOldCookieKeys + " is set but " + EnvCookieKey + " is not: old keys open cookies beside the current key")
		}
		for i, part := range strings.Split(v, ",") {
			key, err := parseKey(EnvOldCookieKeys+" (key "+strconv.Itoa(i+1)+")", strings.TrimSpace(part))
			if err != nil {
				return Config{}, err
			}
			cfg.OldCookieKeys = append(cfg.OldCookieKeys, key)
		}
	}
	if v := strings.TrimSpace(getenv(EnvRevocationEndpoint)); v != "" {
		if err := checkEndpoint(EnvRevocationEndpoint, v); err != nil {
			return Config{}, err
		}
		cfg.RevocationEndpoint = v
	}
	if v := strings.TrimSpace(getenv(EnvRedisURL)); v != "" {
		if !strings.HasPrefix(v, "redis://") && !strings.HasPrefix(v, "rediss://") {
			return Config{}, errors.New(EnvRedisURL + " must start with redis:// or rediss:// (TLS)")
		}
		if cfg.CookieKey == nil {
			return Config{}, errors.New(EnvRedisURL + " is set but " + EnvCookieKey + " is not: instances that share Redis must share the cookie key")
		}
		st, err := redisstore.NewFromURL(v, redisstore.Options{})
		if err != nil {
			return Config{}, errors.New(EnvRedisURL + ": " + err.Error())
		}
		cfg.Store = st
	}
	return cfg, nil
}

// checkEndpoint applies oauth.CheckEndpoint (https, or http on a loopback
// host: RFC 6749 §3.2 requires TLS) and refuses user information, which
// would be a second, unlogged credential in the URL.
func checkEndpoint(what, endpoint string) error {
	if err := oauth.CheckEndpoint(what, endpoint); err != nil {
		return errors.New(err.(*oauth.Error).Message)
	}
	if u, err := url.Parse(endpoint); err != nil || u.User != nil {
		return errors.New(what + " must be a plain https URL, without user information")
	}
	return nil
}

// ParseKey decodes a GOTOAUTH_COOKIE_KEY: KeySize bytes in base64, standard
// or URL alphabet, with or without padding.
func ParseKey(s string) ([]byte, error) { return parseKey(EnvCookieKey, s) }

func parseKey(name, s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(b) != KeySize {
			return nil, errors.New(name + " decodes to " + strconv.Itoa(len(b)) + " bytes; it must be 32 random bytes (AES-256), in base64")
		}
		return b, nil
	}
	return nil, errors.New(name + " is not base64; it must be 32 random bytes (AES-256), in base64")
}
