package client

import (
	"errors"
	"time"

	"gotoauth/wasm/oauth"
)

// Request is an HTTP request the client needs sent.
type Request struct {
	Method  string
	URL     string
	Headers [][2]string
	Body    string
	// SameOriginCookies sends the page's cookies to a same-origin URL
	// (the relay's sealed refresh token); every other request sends none.
	SameOriginCookies bool
}

// Response is what came back: the status and the whole body, at most
// MaxBodyBytes of it.
type Response struct {
	Status int
	Body   []byte
}

// Transport sends one request: fetch in a browser or Node, net/http
// natively. RoundTrip may block. It must return once ctx is done, and must
// stop reading a body that grows past MaxBodyBytes and return ErrTooLarge,
// so that neither a server that stalls nor one that never stops sending
// can hold a call or its memory.
type Transport interface {
	RoundTrip(ctx Context, req *Request) (*Response, error)
}

// MaxBodyBytes bounds every response body the client reads. Token and /me
// answers are a few kilobytes.
const MaxBodyBytes = 1 << 20

// ErrTooLarge is a Transport's error for a body over MaxBodyBytes.
var ErrTooLarge = errors.New("the answer is larger than 1 MiB")

// Bounds of Config.Timeout, for each token and /me request.
const (
	DefaultTimeout = 30 * time.Second
	MinTimeout     = 100 * time.Millisecond
	MaxTimeout     = 10 * time.Minute
)

// TimeoutFromMillis reads a timeout given in milliseconds, as JS gives it,
// checking the range before converting so that no value can overflow.
func TimeoutFromMillis(ms int64) (time.Duration, error) {
	if ms < MinTimeout.Milliseconds() || ms > MaxTimeout.Milliseconds() {
		return 0, timeoutRange()
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// timeoutRange is a fresh error each time: callers may annotate errors.
func timeoutRange() error {
	return oauth.Invalid("timeoutMs must be a whole number of milliseconds from 100 to 600000 (10 minutes)")
}
