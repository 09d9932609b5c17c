// Package limits is the one home of gotoauth's size and time limits: the Go
// packages use these constants; Published lists the ones JavaScript and the
// README need, which wasm/cmd/contract writes into web/gotoauth-contract.js,
// web/gotoauth.d.ts and README.md (go generate); and every message that
// names a limit is built from its value (Size, Millis).
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
	MaxScopes = 256
	// MaxAPIOrigins bounds the entries of apiOrigins.
	MaxAPIOrigins  = 32
	MaxExtraParams = 64
	// MinStateLength and MaxStateLength bound a state the caller chooses:
	// 22 base64url characters carry 128 bits (RFC 6749 §10.10).
	MinStateLength = 22
	MaxStateLength = 512
	// MaxAppState bounds an authorize call's appState, as JSON text: an app
	// keeps a route or a few ids there, not data.
	MaxAppState = 4 << 10
	// MaxPendingInMemory bounds the sign-ins a client without storage
	// (Node) keeps waiting for their redirect; past it the oldest goes.
	MaxPendingInMemory = 1000
	// MaxCheckedRedirects bounds the checked codes a client keeps for
	// exchangeCode; past it the oldest goes.
	MaxCheckedRedirects = 64
)

// Times.
const (
	// DefaultTimeout, MinTimeout and MaxTimeout bound each token and /me
	// request, body included (timeoutMs), and each request of the relay to
	// GoTo.
	DefaultTimeout = 30 * time.Second
	MinTimeout     = 100 * time.Millisecond
	MaxTimeout     = 10 * time.Minute
	// MaxExpiresIn bounds a token's expires_in: Jive's 2592000000 ms is 30
	// days; ten years is not plausible for any generation.
	MaxExpiresIn = 10 * 365 * 24 * time.Hour
	// PendingLifetime is how long a sign-in waits for its redirect;
	// PendingClockSkew how far in the future a stored sign-in's time may be
	// (a clock set back) before it is refused.
	PendingLifetime  = 10 * time.Minute
	PendingClockSkew = time.Minute
	// ExpiryMargin: a session refreshes a token with less than this left.
	ExpiryMargin = 60 * time.Second
	// MaxRetryAfter is the longest Retry-After session.fetch waits for.
	MaxRetryAfter = 60 * time.Second
	// AskTabsWait bounds how long a tab without a token waits for the
	// answer of the tabs that hold one (web/gotoauth-session.js); a tab
	// that finds no holder does not wait at all.
	AskTabsWait = 150 * time.Millisecond
	// RelayRetryBudget bounds the time session.token() spends retrying a
	// relay that answers "not now" (relayapi.StatusRetry with Retry-After).
	RelayRetryBudget = 3 * time.Second
	// PopupAnswerWait is how long a popup at the redirect URI waits for
	// its opener's signInWithPopup to take the redirect before handling it
	// itself; PopupClosedPoll how often the opener looks whether the popup
	// was closed (there is no event for it).
	PopupAnswerWait = 2 * time.Second
	PopupClosedPoll = 250 * time.Millisecond
	// RelayRotationMemory is how long the relay answers a refresh with a
	// refresh token GoTo just rotated from memory; RelayCompletedMemory
	// the same for a refresh that did not rotate (web/relay/refresh.go
	// explains both).
	RelayRotationMemory  = 60 * time.Second
	RelayCompletedMemory = 10 * time.Second
)

// Unit is how a published limit is counted, and so how it is written.
type Unit int

const (
	Bytes    Unit = iota // written as KiB or MiB (Size)
	Count                // entries, written as a number
	Duration             // a time.Duration, published in milliseconds
)

// Limit is one published limit: its name in JavaScript (a time's ends in
// Ms), its value (a time's as a time.Duration), and, when the README's
// table lists it, the row's words.
type Limit struct {
	Name  string
	Value int64
	Unit  Unit
	Doc   string
}

// Published are the limits JavaScript and people see: each is a constant
// of web/gotoauth-contract.js (generated from this list), which the loader,
// the session and the popup read where they check or wait themselves, and
// which the README's table of limits and its prose name (those with a Doc;
// the others are the loader's own). Nothing in the module reads this list:
// the module has the constants themselves.
var Published = [...]Limit{
	{"maxString", MaxURLLength, Bytes, "a URL, or any other string argument"},
	{"maxParam", MaxParamLength, Bytes, "a client id, secret, state, scope or endpoint"},
	{"maxToken", MaxTokenLength, Bytes, "one token or code"},
	{"maxBuffer", MaxBuffer, Bytes, "a call's whole input, once encoded"},
	{"minBuffer", MinBuffer, Bytes, ""},
	{"maxBody", MaxBodyBytes, Bytes, "an answer's body (token, `/me`, `normalizeTokenResponse`'s input)"},
	{"minStateLength", MinStateLength, Count, "a `state` you choose, at least (characters of A-Z a-z 0-9 - . _ ~)"},
	{"maxStateLength", MaxStateLength, Count, "a `state` you choose, at most"},
	{"maxScopes", MaxScopes, Count, "entries of a scope array"},
	{"maxExtraParams", MaxExtraParams, Count, "entries of `extraParams`"},
	{"maxApiOrigins", MaxAPIOrigins, Count, "entries of `apiOrigins`"},
	{"maxAppState", MaxAppState, Bytes, "`appState`, as JSON text"},
	{"pendingLifetimeMs", int64(PendingLifetime), Duration, "a sign-in's state lives"},
	{"minTimeoutMs", int64(MinTimeout), Duration, "`timeoutMs` (each token and `/me` request), at least"},
	{"maxTimeoutMs", int64(MaxTimeout), Duration, "`timeoutMs`, at most"},
	{"defaultTimeoutMs", int64(DefaultTimeout), Duration, "`timeoutMs`, when not given"},
	{"expiryMarginMs", int64(ExpiryMargin), Duration, "`session.token()` refreshes a token with less left than"},
	{"maxRetryAfterMs", int64(MaxRetryAfter), Duration, "the longest `Retry-After` `session.fetch` waits for"},
	{"askTabsMs", int64(AskTabsWait), Duration, "a tab without a token waits for the tabs that hold one, at most"},
	{"relayRetryMs", int64(RelayRetryBudget), Duration, "`session.token()` retries a relay's 503 with `Retry-After` for, at most"},
	{"popupAnswerMs", int64(PopupAnswerWait), Duration, "a sign-in popup waits for its opener to take the redirect"},
	{"popupClosedPollMs", int64(PopupClosedPoll), Duration, "`signInWithPopup` looks whether its popup was closed, every"},
}

// JS is l's value as JavaScript has it: a time in milliseconds.
func (l Limit) JS() int64 {
	if l.Unit == Duration {
		return time.Duration(l.Value).Milliseconds()
	}
	return l.Value
}

// Text writes l's value for a person: "64 KiB", "256", "30 days",
// "10 minutes", "150 ms".
func (l Limit) Text() string {
	switch l.Unit {
	case Bytes:
		return Size(int(l.Value))
	case Duration:
		d := time.Duration(l.Value)
		switch {
		case d >= 24*time.Hour && d%(24*time.Hour) == 0:
			if d == 24*time.Hour {
				return "1 day"
			}
			return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + " days"
		case d >= time.Minute && d%time.Minute == 0:
			if d == time.Minute {
				return "1 minute"
			}
			return Minutes(d)
		case d >= time.Second && d%time.Second == 0:
			return strconv.FormatInt(int64(d/time.Second), 10) + " s"
		}
		return Millis(d) + " ms"
	}
	return strconv.FormatInt(l.Value, 10)
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
