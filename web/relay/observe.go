package relay

import (
	"context"
	"time"

	"gotoauth/wasm/client"
	"gotoauth/web/relay/store"
)

// Observer hears what the relay does, for metrics and logs
// (gotoauth/web/relay/relaymetrics, gotoauth/web/relay/relayserver). Its
// methods are called on the request's path, so they must be quick and must
// not block. No argument ever carries a token, a cookie, a code or the
// secret; every string is one of a few fixed values, safe as a label.
type Observer interface {
	// Refreshed tells where a refresh's answer came from (Source*); ctx is
	// the page's request's.
	Refreshed(ctx context.Context, source string)
	// Upstream is one call to GoTo: endpoint is "token", "refresh" or
	// "revoke"; outcome is "ok", an RFC 6749 §5.2 error code GoTo answered
	// (bounded by oauth's list, else "other"), "timeout" or "failed"
	// (unreachable, or an answer that is not one).
	Upstream(endpoint, outcome string, took time.Duration)
	// Store is one round trip to the store: op is "claim", "finish", "end",
	// "announce" (this instance's key ids), "key_lookup" (whether a key id
	// was announced) or "ping"; err its failure, or nil.
	Store(op string, took time.Duration, err error)
	// LockWaited is a refresh that found another holder's lock and waited
	// for its answer (or gave up) for took.
	LockWaited(took time.Duration)
	// SignedOut is a sign-out's outcome: "ended", "no_cookie", "ambiguous",
	// "store_error" or "key_missing" (503: the cookie's key is held by
	// another instance, not this one; keyid.go).
	SignedOut(outcome string)
	// Refused is a request refused before any endpoint ran, or a cookie
	// refused: reason is one of the Refused* values.
	Refused(reason string)
}

// Where a refresh's answer came from (Observer.Refreshed).
const (
	SourceGoTo   = "goto"   // this instance asked GoTo
	SourceJoined = "joined" // joined a refresh under way in this process
	SourceMemory = "memory" // remembered (a rotation or a refresh just made)
	SourceStore  = "store"  // another holder's answer, after waiting for its lock
	SourceNone   = "none"   // no answer: the sign-in ended, or the store failed
)

// Why a request was refused (Observer.Refused).
const (
	RefusedOrigin    = "origin"
	RefusedMethod    = "method"
	RefusedHeader    = "header"
	RefusedSize      = "size"
	RefusedAmbiguous = "ambiguous_cookie"
	// RefusedKeyMissing is a cookie sealed with a key that another instance
	// holds and this one lacks, answered 503 to be retried (keyid.go): a
	// key rotation under way, or an instance left without the new key.
	RefusedKeyMissing = "key_missing"
)

// nopObserver is the Observer when Config.Observer is nil.
type nopObserver struct{}

func (nopObserver) Refreshed(context.Context, string)      {}
func (nopObserver) Upstream(string, string, time.Duration) {}
func (nopObserver) Store(string, time.Duration, error)     {}
func (nopObserver) LockWaited(time.Duration)               {}
func (nopObserver) SignedOut(string)                       {}
func (nopObserver) Refused(string)                         {}

// upstreamOutcome is Observer.Upstream's outcome for one answer from post.
func upstreamOutcome(out outcome) string {
	switch {
	case out.issued:
		return "ok"
	case out.gotoErr != nil:
		return ErrorLabel(out.gotoErr.OAuth)
	case out.status == 504:
		return "timeout"
	}
	return "failed"
}

// observedStore times every round trip of a store.Store for the Observer.
type observedStore struct {
	s   store.Store
	obs Observer
}

// Unwrap is the store observed: a relay that needs the concrete store
// (its type, its options) asks this, not rl.store.
func (o observedStore) Unwrap() store.Store { return o.s }

func (o observedStore) Claim(ctx context.Context, key, signIn string, hold time.Duration) (store.Claim, error) {
	start := time.Now()
	c, err := o.s.Claim(ctx, key, signIn, hold)
	o.obs.Store("claim", time.Since(start), err)
	if c.Lease != nil {
		c.Lease = observedLease{c.Lease, o.obs}
	}
	return c, err
}

func (o observedStore) End(ctx context.Context, signIn string, ttl time.Duration) error {
	start := time.Now()
	err := o.s.End(ctx, signIn, ttl)
	o.obs.Store("end", time.Since(start), err)
	return err
}

func (o observedStore) AnnounceKeys(ctx context.Context, ids []string, ttl time.Duration) error {
	start := time.Now()
	err := o.s.AnnounceKeys(ctx, ids, ttl)
	o.obs.Store("announce", time.Since(start), err)
	return err
}

func (o observedStore) KeyAnnounced(ctx context.Context, id string) (bool, error) {
	start := time.Now()
	known, err := o.s.KeyAnnounced(ctx, id)
	o.obs.Store("key_lookup", time.Since(start), err)
	return known, err
}

func (o observedStore) Ping(ctx context.Context) error {
	start := time.Now()
	err := o.s.Ping(ctx)
	o.obs.Store("ping", time.Since(start), err)
	return err
}

type observedLease struct {
	l   store.Lease
	obs Observer
}

func (o observedLease) Finish(ctx context.Context, result []byte, ttl time.Duration) (bool, error) {
	start := time.Now()
	ended, err := o.l.Finish(ctx, result, ttl)
	o.obs.Store("finish", time.Since(start), err)
	return ended, err
}

// ErrorLabel is an RFC 6749 §5.2 error code (or RFC 6750 §3.1's, or
// "temporarily_unavailable"/"server_error" of §4.1.2.1) as a label: the code
// itself when it is one of those, "other" for anything else, so that a
// server's free text never becomes a label value.
func ErrorLabel(code string) string {
	switch code {
	case "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
		"unsupported_grant_type", "invalid_scope", "access_denied", "server_error",
		"temporarily_unavailable", "invalid_token", "insufficient_scope":
		return code
	case "":
		return "none"
	}
	return "other"
}

// The relay's calls into its Observer, kept here so that the endpoints
// carry one line each.

// joined is a flight's answer as a caller that joined it got it.
func (r refreshResult) joined() refreshResult { r.source = SourceJoined; return r }

// from sets the answer's source.
func (r refreshResult) from(source string) refreshResult { r.source = source; return r }

// observeLead reports a wait for another holder's lock, and tells a
// remembered answer found only after that wait (another holder's, on this
// instance or another) from one found at once (SourceMemory).
func (rl *Relay) observeLead(res *refreshResult, waited *time.Time) {
	if waited.IsZero() {
		return
	}
	rl.obs.LockWaited(time.Since(*waited))
	if res.source == SourceMemory {
		res.source = SourceStore
	}
}

// observeUpstream reports one token request to GoTo.
func (rl *Relay) observeUpstream(grantType string, start time.Time, out *outcome) {
	endpoint := "token"
	if grantType == "refresh_token" {
		endpoint = "refresh"
	}
	rl.obs.Upstream(endpoint, upstreamOutcome(*out), time.Since(start))
}

// observeRevoke reports one revocation.
func (rl *Relay) observeRevoke(start time.Time, outcome *string) {
	rl.obs.Upstream("revoke", *outcome, time.Since(start))
}

// revokeOutcome is Observer.Upstream's outcome of a revocation.
func revokeOutcome(resp *client.Response, err, ctxErr error) string {
	switch {
	case err != nil && ctxErr != nil:
		return "timeout"
	case err != nil:
		return "failed"
	case resp.Status == 200:
		return "ok"
	}
	return "failed"
}

// signOutOutcome is a sign-out's outcome once it succeeded: s is the
// cookie's content, nil when there was none that opened.
func signOutOutcome(s *sealed) string {
	if s == nil {
		return "no_cookie"
	}
	return "ended"
}
