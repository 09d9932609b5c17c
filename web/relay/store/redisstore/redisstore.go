// Package redisstore is the relay's store (gotoauth/web/relay/store) in
// Redis, for relay instances behind a load balancer: one GoTo call per
// refresh token across all of them, and a sign-out that holds on every one.
//
// The protocol, each step one Lua script and so one atomic round trip:
//
//   - Claim: if the sign-in's "ended" key exists, the sign-in is over;
//     else if the refresh token's "result" key exists, that is the answer;
//     else SET the token's "lock" key NX PX Lease to a random holder value.
//     A caller that gets none of the three waits and claims again: it never
//     sends the refresh token itself (the relay polls, bounded in time).
//   - While GoTo's answer is awaited, the holder renews the lock every
//     Lease/3, only while the key still holds its value (a check-and-set in
//     Lua), so that a GoTo slower than the lease cannot let a second holder
//     in; a holder that dies stops renewing, and the lock frees itself
//     after Lease.
//   - Finish: SET the result with its TTL, DEL the lock only while it holds
//     our value, and read whether the sign-in was ended meanwhile.
//
// Every key has a TTL: a lock the lease, a result the relay's memory time,
// an ended sign-in the cookie's maximum age. Keys name refresh tokens by
// an HMAC the relay computes, and results are sealed by the relay, so that
// a dump of Redis reveals no token and no cookie. The scripts touch keys of
// two names (a sign-in's and a token's) at once: use one Redis, with
// replicas or Sentinel if you like, not Redis Cluster.
package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"gotoauth/web/relay/store"
)

// Defaults.
const (
	// DefaultLease is how long a refresh lock lasts unless renewed: short,
	// so that a lock whose holder died frees itself soon.
	DefaultLease = 2 * time.Second
	// DefaultTimeout bounds every round trip to Redis.
	DefaultTimeout = time.Second
	// DefaultPrefix starts every key.
	DefaultPrefix = "gotoauth:relay:"
	// maxHold bounds how long a lease is renewed: longer than any request
	// to GoTo may take (the relay's timeout is at most 10 minutes), so that
	// a lease whose Finish never comes frees itself all the same.
	maxHold = 15 * time.Minute
)

// Options configures a Store.
type Options struct {
	// Client is the Redis client; NewFromURL makes one.
	Client redis.UniversalClient
	// Prefix starts every key; DefaultPrefix if empty.
	Prefix string
	// Lease is the refresh lock's lease; DefaultLease if zero. At least
	// 30 ms.
	Lease time.Duration
	// Timeout bounds each round trip; DefaultTimeout if zero.
	Timeout time.Duration
}

// Store is a store.Store in Redis.
type Store struct {
	c       redis.UniversalClient
	prefix  string
	lease   time.Duration
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
	if opts.Lease == 0 {
		opts.Lease = DefaultLease
	}
	if opts.Lease < 30*time.Millisecond {
		return nil, errors.New("redisstore: the lease must be at least 30 ms")
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	return &Store{c: opts.Client, prefix: opts.Prefix, lease: opts.Lease, timeout: opts.Timeout}, nil
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

// Lease reports the lock's lease.
func (s *Store) Lease() time.Duration { return s.lease }

func (s *Store) endedKey(signIn string) string { return s.prefix + "ended:" + signIn }
func (s *Store) resultKey(key string) string   { return s.prefix + "result:" + key }
func (s *Store) lockKey(key string) string     { return s.prefix + "lock:" + key }

// KEYS: ended, result, lock. ARGV: holder, lease in ms.
var claimScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return {1} end
local r = redis.call('GET', KEYS[2])
if r then return {2, r} end
if redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[2]) then return {3} end
return {0}
`)

// KEYS: lock. ARGV: holder, lease in ms.
var renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
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
func (s *Store) Claim(ctx context.Context, key, signIn string) (store.Claim, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var b [16]byte
	rand.Read(b[:])
	holder := hex.EncodeToString(b[:])
	v, err := claimScript.Run(ctx, s.c, []string{s.endedKey(signIn), s.resultKey(key), s.lockKey(key)},
		holder, ms(s.lease)).Slice()
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
		l := &lease{s: s, key: key, signIn: signIn, holder: holder, stop: make(chan struct{}), stopped: make(chan struct{})}
		go l.renew()
		return store.Claim{Lease: l}, nil
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

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.c.Ping(ctx).Err()
}

// lease is a held lock, renewed until Finish.
type lease struct {
	s       *Store
	key     string
	signIn  string
	holder  string
	once    sync.Once
	stop    chan struct{}
	stopped chan struct{}
}

// renew extends the lock every lease/3 while it is ours. It stops when
// Finish is called, when the lock is found to be someone else's (the lease
// ran out while Redis could not be reached), or after maxHold; an
// unreachable Redis is retried at the next tick.
func (l *lease) renew() {
	defer close(l.stopped)
	t := time.NewTicker(l.s.lease / 3)
	defer t.Stop()
	giveUp := time.NewTimer(maxHold)
	defer giveUp.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-giveUp.C:
			return
		case <-t.C:
		}
		ctx, cancel := l.s.bound(context.Background())
		n, err := renewScript.Run(ctx, l.s.c, []string{l.s.lockKey(l.key)}, l.holder, ms(l.s.lease)).Int64()
		cancel()
		if err == nil && n == 0 {
			return // no longer ours
		}
	}
}

// Finish implements store.Lease.
func (l *lease) Finish(ctx context.Context, result []byte, ttl time.Duration) (bool, error) {
	l.once.Do(func() { close(l.stop) })
	<-l.stopped
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
