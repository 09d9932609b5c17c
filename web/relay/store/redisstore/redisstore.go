// Package redisstore is the relay's store (gotoauth/web/relay/store) in
// Redis, for relay instances behind a load balancer: one GoTo call per
// refresh token across all of them, and a sign-out that holds on every one.
//
// The protocol, each step one Lua script and so one atomic round trip:
//
//   - Claim: if the sign-in's "ended" key exists, the sign-in is over;
//     else if the refresh token's "result" key exists, that is the answer;
//     else SET the token's "lock" key NX PX hold to a random holder value.
//     A caller that gets none of the three waits and claims again: it never
//     sends the refresh token itself (the relay polls, bounded in time).
//   - The lock is not renewed: hold, which the relay chooses, covers the
//     holder's whole request to GoTo from before the claim was sent, so
//     the lock outlives the request however long Redis stalls or cannot
//     be reached meanwhile (renewing would need the very Redis that is
//     stalling). A holder that dies leaves the lock to expire after hold.
//   - Finish: SET the result with its TTL, DEL the lock only while it holds
//     our value, and read whether the sign-in was ended meanwhile.
//   - AnnounceKeys sets a "key" key per cookie key id, with a TTL, and
//     KeyAnnounced asks whether one exists.
//
// Every key has a TTL: a lock its hold, a result the relay's memory time,
// an ended sign-in the cookie's maximum age, an announced key id a few
// minutes. Keys name refresh tokens by a hash the relay computes, and
// results are sealed by the relay, so that a dump of Redis reveals no
// token and no cookie. The scripts touch keys of
// two names (a sign-in's and a token's) at once: use one Redis, with
// replicas or Sentinel if you like, not Redis Cluster.
package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"gotoauth/wasm/limits"
	"gotoauth/web/relay/store"
)

// Defaults.
const (
	// DefaultTimeout bounds every round trip to Redis.
	DefaultTimeout = time.Second
	// DefaultPrefix starts every key.
	DefaultPrefix = "gotoauth:relay:"
)

// Options configures a Store.
type Options struct {
	// Client is the Redis client; NewFromURL makes one.
	Client redis.UniversalClient
	// Prefix starts every key; DefaultPrefix if empty.
	Prefix string
	// Timeout bounds each round trip; DefaultTimeout if zero.
	Timeout time.Duration
}

// Store is a store.Store in Redis.
type Store struct {
	c       redis.UniversalClient
	prefix  string
	timeout time.Duration
}

var _ store.Store = (*Store)(nil)

// New returns a Store on opts.Client.
func New(opts Options) (*Store, error) {
	if opts.Client == nil {
		return nil, errors.New("redisstore: a client is required")
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	return &Store{c: opts.Client, prefix: opts.Prefix, timeout: opts.Timeout}, nil
}

// NewFromURL returns a Store on the Redis at rawURL, redis://… or
// rediss://… (TLS), as redis.ParseURL reads it (user, password, database
// number, options). Connecting happens on first use; errors never echo
// the URL, which may hold a password.
func NewFromURL(rawURL string, opts Options) (*Store, error) {
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, errors.New("redisstore: the Redis URL does not parse (want redis://[user:password@]host:port[/db] or rediss://…)")
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	// Fail fast: the relay answers 503 rather than hold a page while Redis
	// is away, and reconnects on its own when Redis is back.
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout = timeout, timeout, timeout, timeout
	o.ContextTimeoutEnabled = true
	o.MaxRetries = 1
	o.DisableIdentity = true
	opts.Client = redis.NewClient(o)
	return New(opts)
}

// Close closes the client.
func (s *Store) Close() error { return s.c.Close() }

func (s *Store) endedKey(signIn string) string { return s.prefix + "ended:" + signIn }
func (s *Store) resultKey(key string) string   { return s.prefix + "result:" + key }
func (s *Store) lockKey(key string) string     { return s.prefix + "lock:" + key }
func (s *Store) keyIDKey(id string) string     { return s.prefix + "key:" + id }

// KEYS: ended, result, lock. ARGV: holder, hold in ms.
var claimScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return {1} end
local r = redis.call('GET', KEYS[2])
if r then return {2, r} end
if redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[2]) then return {3} end
return {0}
`)

// KEYS: lock, result, ended. ARGV: holder, result, ttl in ms (0: none).
var finishScript = redis.NewScript(`
if ARGV[3] ~= '0' then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return redis.call('EXISTS', KEYS[3])
`)

func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// Claim implements store.Store.
func (s *Store) Claim(ctx context.Context, key, signIn string, hold time.Duration) (store.Claim, error) {
	if hold <= 0 {
		return store.Claim{}, errors.New("redisstore: a claim needs a positive hold")
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var b [16]byte
	rand.Read(b[:])
	holder := hex.EncodeToString(b[:])
	v, err := claimScript.Run(ctx, s.c, []string{s.endedKey(signIn), s.resultKey(key), s.lockKey(key)},
		holder, ms(hold)).Slice()
	if err != nil {
		return store.Claim{}, err
	}
	if len(v) == 0 {
		return store.Claim{}, errors.New("redisstore: unexpected answer to the claim")
	}
	switch kind, _ := v[0].(int64); kind {
	case 1:
		return store.Claim{Ended: true}, nil
	case 2:
		r, ok := v[1].(string)
		if !ok {
			return store.Claim{}, errors.New("redisstore: unexpected answer to the claim")
		}
		return store.Claim{Result: []byte(r)}, nil
	case 3:
		return store.Claim{Lease: &lease{s: s, key: key, signIn: signIn, holder: holder}}, nil
	default:
		return store.Claim{}, nil
	}
}

// End implements store.Store.
func (s *Store) End(ctx context.Context, signIn string, ttl time.Duration) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.c.Set(ctx, s.endedKey(signIn), "1", ttl).Err()
}

// AnnounceKeys implements store.Store.
func (s *Store) AnnounceKeys(ctx context.Context, ids []string, ttl time.Duration) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, id := range ids {
			p.Set(ctx, s.keyIDKey(id), "1", ttl)
		}
		return nil
	})
	return err
}

// KeyAnnounced implements store.Store.
func (s *Store) KeyAnnounced(ctx context.Context, id string) (bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	n, err := s.c.Exists(ctx, s.keyIDKey(id)).Result()
	return n == 1, err
}

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.c.Ping(ctx).Err()
}

// lease is a held lock.
type lease struct {
	s      *Store
	key    string
	signIn string
	holder string
}

// Finish implements store.Lease.
func (l *lease) Finish(ctx context.Context, result []byte, ttl time.Duration) (bool, error) {
	ctx, cancel := l.s.bound(ctx)
	defer cancel()
	t := "0"
	if ttl > 0 {
		t = ms(ttl)
	}
	n, err := finishScript.Run(ctx, l.s.c, []string{l.s.lockKey(l.key), l.s.resultKey(l.key), l.s.endedKey(l.signIn)},
		l.holder, result, t).Int64()
	return n == 1, err
}

// ms writes d in whole milliseconds, at least 1.
func ms(d time.Duration) string {
	n := d.Milliseconds()
	if n < 1 {
		n = 1
	}
	return strconv.FormatInt(n, 10)
}

// Timings are the store's times an operator sees (relay.Timings says how
// the README uses them).
var Timings = [...]limits.Limit{
	{Name: "redisTimeout", Value: int64(DefaultTimeout), Unit: limits.Duration,
		Doc: "each round trip to Redis"},
}
