// Package store is the state that token relay instances share: the refresh
// lock, the memory of refresh answers (in flight and completed, rotations
// included) and the record of ended sign-ins. Why the relay needs each is
// explained where it is used, in gotoauth/web/relay (refresh.go).
//
// Two implementations: Memory, in this package, for one process (the
// relay's default), and gotoauth/web/relay/store/redisstore, for instances
// behind a load balancer that share one Redis.
//
// A store never sees a token. The relay names a refresh by a hash of its
// refresh token (HKDF) and seals every answer it hands over under a key
// derived from that token (gotoauth/web/relay, answer.go), so that a dump
// of the store reveals neither tokens nor cookies. Sign-in ids are random
// and secret-free; cookie key ids name keys without revealing them.
package store

import (
	"context"
	"errors"
	"time"
)

// Store is the shared state of the relay. Every method is safe for
// concurrent use. An error means the store could not be asked; the relay
// then answers 503 and sends nothing to GoTo (README: failure behaviour).
type Store interface {
	// Claim is the first step of a refresh of the refresh token named key,
	// for the sign-in signIn, in one round trip. Exactly one of these
	// holds in its answer, in this order of precedence:
	//
	//   - Ended: the sign-in was ended (End); nothing else is looked at;
	//   - Result: an answer for key is remembered (Lease.Finish);
	//   - Lease: the refresh lock for key is now the caller's, who sends
	//     the refresh to GoTo and must call Lease.Finish;
	//   - none of them: another holder has the lock; the caller waits and
	//     claims again, and never sends the refresh itself.
	//
	// A lease holds the lock until Finish, or for at most hold counted
	// from the moment Claim was called, whichever comes first, whatever
	// happens to the store meanwhile: the relay sets hold to cover its
	// whole request to GoTo, so that no second holder is let in while GoTo
	// may still be answering the first (refresh.go). A lock whose holder
	// died frees itself after hold.
	Claim(ctx context.Context, key, signIn string, hold time.Duration) (Claim, error)

	// End records the sign-in as ended for ttl, which the relay sets to the
	// longest a cookie of that sign-in can still be presented.
	End(ctx context.Context, signIn string, ttl time.Duration) error

	// AnnounceKeys records, for ttl, that an instance holds the cookie
	// keys of these ids (relay.KeyID), so that an instance that lacks one
	// can tell a key rotation under way from a key no instance holds.
	AnnounceKeys(ctx context.Context, ids []string, ttl time.Duration) error

	// KeyAnnounced reports whether an instance announced the key id within
	// its ttl.
	KeyAnnounced(ctx context.Context, id string) (bool, error)

	// Ping reports whether the store can be reached (a health check).
	Ping(ctx context.Context) error
}

// Claim is Store.Claim's answer.
type Claim struct {
	Ended  bool
	Result []byte
	Lease  Lease
}

// Lease is a held refresh lock (Store.Claim says for how long).
type Lease interface {
	// Finish remembers result under the lease's key for ttl (not at all
	// when ttl is 0), then releases the lock if it is still this lease's,
	// and reports whether the lease's sign-in has been ended meanwhile.
	// It is called exactly once per lease.
	Finish(ctx context.Context, result []byte, ttl time.Duration) (ended bool, err error)
}

// ErrFull is returned by Memory when its bounds leave no room for another
// ended sign-in or announced key.
var ErrFull = errors.New("store: the memory is full")
