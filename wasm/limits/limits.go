// Package limits is the one home of gotoauth's size and time limits: the Go
// packages use these constants, the module publishes the ones the JS loader
// and session need at boot (Published, read by wasm/bridge), and every
// message that names a limit is built from its value (Size, Millis).
//
// Real values are far below the size limits; anything larger is refused
// before it is parsed, never cut.
package limits

import (
	"strconv"
	"time"
)

// Sizes, in bytes (or entries, where said).
const (
	// MaxURLLength bounds a URL or any other single string a call takes:
	// a redirect carrying a JWT is a few KB.
	MaxURLLength = 64 << 10
	// MaxParamLength bounds a client id, secret, state, scope, endpoint.
	MaxParamLength = 8 << 10
	// MaxTokenLength bounds one token or code.
	MaxTokenLength = 32 << 10
	// MaxBodyBytes bounds every response body the client reads, and the
	// token response normalizeTokenResponse takes: token and /me answers
	// are a few kilobytes.
	MaxBodyBytes = 1 << 20
	// MaxRelayBody bounds what the relay and the emulator read of a
	// request's body.
	MaxRelayBody = 64 << 10
	// MinBuffer and MaxBuffer bound the buffer the loader shares with the
	// module (wasm/bridge); a payload that does not fit MaxBuffer once
	// encoded is refused.
	MinBuffer = 16 << 10
	MaxBuffer = 4 << 20
	// MaxScopes and MaxExtraParams bound the entries of a scope array and
	// of extraParams, which the loader counts before encoding them.
	MaxScopes      = 256
	MaxExtraParams = 64
)

// Times.
const (
	// DefaultTimeout, MinTimeout and MaxTimeout bound each token and /me
	// request, body included (timeoutMs), and each request of the relay to
	// GoTo.
	DefaultTimeout = 30 * time.Second
	MinTimeout     = 100 * time.Millisecond
	MaxTimeout     = 10 * time.Minute
	// PendingLifetime is how long a sign-in waits for its redirect.
	PendingLifetime = 10 * time.Minute
	// ExpiryMargin: a session refreshes a token with less than this left.
	ExpiryMargin = 60 * time.Second
	// MaxRetryAfter is the longest Retry-After session.fetch waits for.
	MaxRetryAfter = 60 * time.Second
	// AskTabsWait is how long a tab without a token waits for another
	// tab's answer.
	AskTabsWait = 150 * time.Millisecond
	// RelayRotationMemory is how long the relay answers a refresh with a
	// refresh token GoTo just rotated from memory; RelayCompletedMemory
	// the same for a refresh that did not rotate (web/relay/refresh.go
	// explains both).
	RelayRotationMemory  = 60 * time.Second
	RelayCompletedMemory = 10 * time.Second
)

// Published are the limits the module hands the JS loader at boot, as
// `limits` beside `version`, under these names: sizes in bytes or
// entries, times in milliseconds (names ending in Ms).
var Published = [...]struct {
	Name  string
	Value int64
}{
	{"maxString", MaxURLLength},
	{"maxBody", MaxBodyBytes},
	{"minBuffer", MinBuffer},
	{"maxBuffer", MaxBuffer},
	{"maxScopes", MaxScopes},
	{"maxExtraParams", MaxExtraParams},
	{"expiryMarginMs", ExpiryMargin.Milliseconds()},
	{"maxRetryAfterMs", MaxRetryAfter.Milliseconds()},
	{"askTabsMs", AskTabsWait.Milliseconds()},
}

// Size writes a size limit, a whole number of KiB, for a message:
// "64 KiB", "1 MiB".
//
//go:noinline
func Size(n int) string {
	if n%(1<<20) == 0 {
		return strconv.Itoa(n>>20) + " MiB"
	}
	return strconv.Itoa(n>>10) + " KiB"
}

// TooLong is the message for a value longer than its size limit.
//
//go:noinline
func TooLong(what string, max int) string { return what + " is longer than " + Size(max) }

// Millis writes a time limit in milliseconds, as JS gives timeouts.
//
//go:noinline
func Millis(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

// Minutes writes a time limit of whole minutes for a message: "10 minutes".
//
//go:noinline
func Minutes(d time.Duration) string { return strconv.Itoa(int(d/time.Minute)) + " minutes" }
