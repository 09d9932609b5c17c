package relay

import (
	"time"

	"gotoauth/wasm/limits"
	"gotoauth/wasm/relayapi"
)

// Timings are the relay's own times an operator sees, each the constant
// the relay uses: wasm/cmd/contract writes them into README.md's table of
// the relay's timings and rewrites the prose that names one ("30 days
// (`refreshLifetime`)") from here.
var Timings = [...]limits.Limit{
	{Name: "refreshLifetime", Value: int64(RefreshLifetime), Unit: limits.Duration,
		Doc: "a refresh cookie's life, and how long an ended sign-in is remembered"},
	{Name: "gotoTimeout", Value: int64(limits.DefaultTimeout), Unit: limits.Duration,
		Doc: "each request to GoTo, its answer's body included"},
	{Name: "lockHoldSlack", Value: int64(holdSlack), Unit: limits.Duration,
		Doc: "what a refresh lock's hold adds to `gotoTimeout`"},
	{Name: "retryAfter", Value: int64(relayapi.RetryAfterSeconds) * int64(time.Second), Unit: limits.Duration,
		Doc: "the `Retry-After` of a 503 \"not now\""},
	{Name: "rotationMemory", Value: int64(rotationMemory), Unit: limits.Duration,
		Doc: "a rotated-out refresh token answered from memory with its successor, for"},
	{Name: "completedMemory", Value: int64(completedMemory), Unit: limits.Duration,
		Doc: "a completed refresh answered from memory, for"},
	{Name: "failureMemory", Value: int64(failureMemory), Unit: limits.Duration,
		Doc: "a failed refresh remembered for the callers waiting on other instances, for"},
	{Name: "revocationTimeout", Value: int64(maxRevokeTime), Unit: limits.Duration,
		Doc: "a revocation at a sign-out, at most (or `gotoTimeout`, if shorter)"},
	{Name: "keyAnnouncement", Value: int64(keyAnnounceTTL), Unit: limits.Duration,
		Doc: "a cookie key that no instance has announced for this long counts as dropped"},
	{Name: "maxClockSkew", Value: int64(maxSkew), Unit: limits.Duration,
		Doc: "how far in the future a cookie's issue time may lie (a clock stepped back)"},
}
