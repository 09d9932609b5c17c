// Package relayenv reads the token relay's configuration from the
// environment, as a program that runs the relay is given it: the GoTo
// client, the token and revocation endpoints, the cookie keys and the store.
// It is the one place that chooses Redis (store/redisstore), so that a Go
// program using gotoauth/web/relay with the memory store links no Redis
// client.
//
// The configuration comes from the environment and never from flags: a
// secret on a command line shows in ps and in shell history. Every secret
// variable also has a _FILE form naming a file that holds the value (how
// Kubernetes mounts secrets and systemd's LoadCredential= hands them over);
// one trailing newline is trimmed, and setting both forms is an error.
// Errors name the variable, never its value.
package relayenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"gotoauth/wasm/oauth"
	"gotoauth/web/relay"
	"gotoauth/web/relay/store/redisstore"
)

// The variables Load reads. The relay's own names (relay.Env*) are the
// client's, the endpoints', the keys' and Redis'; this package adds
// Sentinel's master and the _FILE forms.
const (
	// EnvRedisSentinelMaster, when set, makes GOTOAUTH_REDIS_URL a list of
	// Redis Sentinels (redis://sentinel1:26379?addr=sentinel2:26379) and
	// names the master they watch.
	EnvRedisSentinelMaster = "GOTOAUTH_REDIS_SENTINEL_MASTER"
	// FileSuffix makes a secret variable's _FILE form.
	FileSuffix = "_FILE"
	// maxFile bounds a secret file: a key list or a URL, never megabytes.
	maxFile = 64 << 10
)

// Secrets are the variables with a _FILE form.
var Secrets = []string{relay.EnvClientSecret, relay.EnvCookieKey, relay.EnvOldCookieKeys, relay.EnvRedisURL}

// Variables are every variable Load reads, without the _FILE forms.
var Variables = []string{relay.EnvClientID, relay.EnvClientSecret, relay.EnvTokenEndpoint, relay.EnvRevocationEndpoint,
	relay.EnvCookieKey, relay.EnvOldCookieKeys, relay.EnvRedisURL, EnvRedisSentinelMaster}

// Env is where Load reads: os.Getenv and os.ReadFile, or maps in tests.
type Env struct {
	Getenv   func(string) string
	ReadFile func(string) ([]byte, error)
}

// OS is the process's environment and file system.
var OS = Env{Getenv: os.Getenv, ReadFile: readBounded}

// Config is what the environment configures.
type Config struct {
	// Relay has the client, the endpoints, the keys and, with Redis, the
	// Store; the caller adds the origins, the path and the rest.
	Relay relay.Config
	// Redis is the Redis store, or nil for the store in this process.
	Redis *redisstore.Store
	// RedisKind says which Redis: "" (none), "redis", "rediss" (TLS),
	// "sentinel" or "sentinel+tls".
	RedisKind string
	// set records which variables were given (for Describe).
	set map[string]string // name → "env" or "file"
}

// Load reads the configuration through env. Every problem is reported,
// not only the first: the error joins them (errors.Join), one line each.
// GOTO_CLIENT_ID and GOTO_CLIENT_SECRET are required; GOTO_TOKEN_ENDPOINT
// defaults to oauth.DefaultTokenEndpoint and must be https (http only on a
// loopback host); GOTOAUTH_COOKIE_KEY, when set, is 32 random bytes in
// base64 (CheckKey refuses keys that are visibly not random);
// GOTOAUTH_COOKIE_OLD_KEYS, when set, is such keys separated by commas;
// GOTO_REVOCATION_ENDPOINT is checked like the token endpoint;
// GOTOAUTH_REDIS_URL, when set, selects the Redis store (it connects on
// first use; Ping tries it). With an error, the Config holds what could
// be read (a Redis to try, for CheckConfig); call Close either way.
func Load(env Env) (Config, error) {
	l := loader{env: env, cfg: Config{set: map[string]string{}}}
	l.load()
	if len(l.errs) > 0 {
		return l.cfg, errors.Join(l.errs...)
	}
	return l.cfg, nil
}

type loader struct {
	env  Env
	cfg  Config
	errs []error
}

func (l *loader) fail(format string, args ...any) {
	l.errs = append(l.errs, fmt.Errorf(format, args...))
}

// get reads a variable, or its _FILE form for a secret.
func (l *loader) get(name string) string {
	v := l.env.Getenv(name)
	if v != "" {
		l.cfg.set[name] = "env"
	}
	if !isSecret(name) {
		return v
	}
	path := l.env.Getenv(name + FileSuffix)
	if path == "" {
		return v
	}
	if v != "" {
		l.fail("%s and %s are both set; set one", name, name+FileSuffix)
		return ""
	}
	b, err := l.env.ReadFile(path)
	if err != nil {
		l.fail("%s: %v", name+FileSuffix, fileError(err))
		return ""
	}
	s := string(b)
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	if s == "" {
		l.fail("%s names an empty file", name+FileSuffix)
		return ""
	}
	l.cfg.set[name] = "file"
	return s
}

func isSecret(name string) bool {
	for _, s := range Secrets {
		if s == name {
			return true
		}
	}
	return false
}

func (l *loader) load() {
	c := &l.cfg.Relay
	c.ClientID = l.get(relay.EnvClientID)
	c.ClientSecret = l.get(relay.EnvClientSecret)
	c.TokenEndpoint = strings.TrimSpace(l.get(relay.EnvTokenEndpoint))
	switch {
	case c.ClientID == "" && c.ClientSecret == "":
		l.fail("%s and %s must be set: the relay authenticates to GoTo's token endpoint with the client's id and secret", relay.EnvClientID, relay.EnvClientSecret)
	case c.ClientID == "":
		l.fail("%s must be set: the relay authenticates to GoTo's token endpoint with the client's id and secret", relay.EnvClientID)
	case c.ClientSecret == "":
		l.fail("%s must be set: the relay authenticates to GoTo's token endpoint with the client's id and secret", relay.EnvClientSecret)
	default:
		if err := oauth.CheckClient(c.ClientID, c.ClientSecret, relay.EnvClientID); err != nil {
			l.errs = append(l.errs, errors.New(err.(*oauth.Error).Message))
		}
	}
	if c.TokenEndpoint == "" {
		c.TokenEndpoint = oauth.DefaultTokenEndpoint
	}
	if err := relay.CheckEndpoint(relay.EnvTokenEndpoint, c.TokenEndpoint); err != nil {
		l.errs = append(l.errs, err)
	}
	if v := strings.TrimSpace(l.get(relay.EnvRevocationEndpoint)); v != "" {
		if err := relay.CheckEndpoint(relay.EnvRevocationEndpoint, v); err != nil {
			l.errs = append(l.errs, err)
		}
		c.RevocationEndpoint = v
	}
	if v := strings.TrimSpace(l.get(relay.EnvCookieKey)); v != "" {
		if key, err := ParseKey(relay.EnvCookieKey, v); err != nil {
			l.errs = append(l.errs, err)
		} else {
			c.CookieKey = key
		}
	}
	keySet := l.cfg.set[relay.EnvCookieKey] != ""
	if v := strings.TrimSpace(l.get(relay.EnvOldCookieKeys)); v != "" {
		if !keySet {
			l.fail("%s is set but %s is not: old keys open cookies beside the current key", relay.EnvOldCookieKeys, relay.EnvCookieKey)
		}
		for i, part := range strings.Split(v, ",") {
			key, err := ParseKey(relay.EnvOldCookieKeys+" (key "+strconv.Itoa(i+1)+")", strings.TrimSpace(part))
			if err != nil {
				l.errs = append(l.errs, err)
				continue
			}
			c.OldCookieKeys = append(c.OldCookieKeys, key)
		}
	}
	l.loadRedis(keySet)
}

// loadRedis reads GOTOAUTH_REDIS_URL and GOTOAUTH_REDIS_SENTINEL_MASTER.
func (l *loader) loadRedis(keySet bool) {
	v := strings.TrimSpace(l.get(relay.EnvRedisURL))
	master := strings.TrimSpace(l.get(EnvRedisSentinelMaster))
	if v == "" {
		if master != "" {
			l.fail("%s is set but %s is not: name the sentinels in %s", EnvRedisSentinelMaster, relay.EnvRedisURL, relay.EnvRedisURL)
		}
		return
	}
	tls := strings.HasPrefix(v, "rediss://")
	if !tls && !strings.HasPrefix(v, "redis://") {
		l.fail("%s must start with redis:// or rediss:// (TLS)", relay.EnvRedisURL)
		return
	}
	if !keySet {
		l.fail("%s is set but %s is not: instances that share Redis must share the cookie key", relay.EnvRedisURL, relay.EnvCookieKey)
	}
	if master != "" {
		u, err := url.Parse(v)
		if err != nil {
			l.fail("%s does not parse as a URL", relay.EnvRedisURL)
			return
		}
		q := u.Query()
		if q.Has("master_name") && q.Get("master_name") != master {
			l.fail("%s names a master (master_name) other than %s", relay.EnvRedisURL, EnvRedisSentinelMaster)
			return
		}
		q.Set("master_name", master)
		u.RawQuery = q.Encode()
		v = u.String()
	}
	var st *redisstore.Store
	var err error
	if redisstore.IsFailoverURL(v) {
		l.cfg.RedisKind = "sentinel"
		st, err = redisstore.NewFromFailoverURL(v, redisstore.Options{})
	} else {
		l.cfg.RedisKind = "redis"
		st, err = redisstore.NewFromURL(v, redisstore.Options{})
	}
	if tls {
		l.cfg.RedisKind += "+tls"
		if l.cfg.RedisKind == "redis+tls" {
			l.cfg.RedisKind = "rediss"
		}
	}
	if err != nil {
		l.fail("%s: %v", relay.EnvRedisURL, err)
		return
	}
	l.cfg.Redis = st
	l.cfg.Relay.Store = st
}

// Ping tries the store once, within timeout: nil without Redis. A program
// calls it at start to log a Redis that cannot work (a wrong password, TLS
// to a plain Redis, no such host) before a user meets it; -check-config
// fails on it. Its error holds no password.
func (c Config) Ping(ctx context.Context, timeout time.Duration) error {
	if c.Redis == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := c.Redis.Ping(ctx); err != nil {
		if strings.HasSuffix(c.RedisKind, "tls") || c.RedisKind == "rediss" {
			if errors.Is(err, context.DeadlineExceeded) || os.IsTimeout(err) {
				return fmt.Errorf("%s: Redis cannot be used: no TLS answer within %s: a rediss:// URL needs a Redis that serves TLS, and a plain Redis never answers the handshake (%v)", relay.EnvRedisURL, timeout, err)
			}
		}
		return fmt.Errorf("%s: Redis cannot be used: %v", relay.EnvRedisURL, err)
	}
	return nil
}

// StoreName names the store for a start-up log line: "memory", or
// RedisKind.
func (c Config) StoreName() string {
	if c.RedisKind == "" {
		return "memory"
	}
	return c.RedisKind
}

// Close closes the Redis client, if any; a nil Config has none.
func (c *Config) Close() error {
	if c != nil && c.Redis != nil {
		return c.Redis.Close()
	}
	return nil
}

// Describe writes what the relay would run with, one "name: value" line
// each: the client id and the endpoints as they are, every secret as
// "set", "set (from a file)" or "unset", never its value, and the cookie
// keys' ids.
func (c Config) Describe(w io.Writer) {
	fmt.Fprintf(w, "%s: %s\n", relay.EnvClientID, c.Relay.ClientID)
	fmt.Fprintf(w, "%s: %s\n", relay.EnvTokenEndpoint, c.Relay.TokenEndpoint)
	rev := c.Relay.RevocationEndpoint
	if rev == "" {
		rev = "(none: sign-outs do not revoke)"
	}
	fmt.Fprintf(w, "%s: %s\n", relay.EnvRevocationEndpoint, rev)
	for _, name := range Secrets {
		state := "unset"
		switch c.set[name] {
		case "env":
			state = "set"
		case "file":
			state = "set (from " + name + FileSuffix + ")"
		}
		fmt.Fprintf(w, "%s: %s\n", name, state)
	}
	// Keys by id (relay.KeyID), never by value: the ids the instances log
	// at start and that a key rotation's log lines name.
	if c.Relay.CookieKey != nil {
		fmt.Fprintf(w, "cookie key id: %s\n", relay.KeyID(c.Relay.CookieKey))
	}
	ids := make([]string, len(c.Relay.OldCookieKeys))
	for i, k := range c.Relay.OldCookieKeys {
		ids[i] = relay.KeyID(k)
	}
	fmt.Fprintf(w, "old cookie keys: %d", len(ids))
	if len(ids) > 0 {
		fmt.Fprintf(w, " (ids %s)", strings.Join(ids, ", "))
	}
	fmt.Fprintln(w)
	switch c.RedisKind {
	case "":
		fmt.Fprintln(w, "store: in this process (one instance)")
	default:
		fmt.Fprintf(w, "store: Redis (%s)\n", c.RedisKind)
	}
}

// readBounded is os.ReadFile for a secret file of at most maxFile bytes.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFile {
		return nil, errors.New("the file is larger than 64 KiB")
	}
	return b, nil
}

// fileError is why a secret file could not be read, without its content.
func fileError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot read %s: %v", pe.Path, pe.Err)
	}
	return err
}

// WithDefaultClient returns e with id and secret in place of GOTO_CLIENT_ID
// and GOTO_CLIENT_SECRET when none of the GoTo client's variables (those
// two, the secret's file, GOTO_TOKEN_ENDPOINT) is set, and whether it did:
// serve.go gives the relay the emulator's demo client this way, so that a
// client set in the environment always wins.
func (e Env) WithDefaultClient(id, secret string) (Env, bool) {
	for _, name := range []string{relay.EnvClientID, relay.EnvClientSecret, relay.EnvClientSecret + FileSuffix, relay.EnvTokenEndpoint} {
		if e.Getenv(name) != "" {
			return e, false
		}
	}
	getenv := e.Getenv
	e.Getenv = func(name string) string {
		switch name {
		case relay.EnvClientID:
			return id
		case relay.EnvClientSecret:
			return secret
		}
		return getenv(name)
	}
	return e, true
}
