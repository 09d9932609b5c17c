package client

import (
	"errors"
	"time"

	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/options"
)

// Request is an HTTP request the client needs sent.
type Request struct {
	Method  string
	URL     string
	Headers [][2]string
	Body    string
}

// Response is what came back: the status and the whole body, at most
// limits.MaxBodyBytes of it.
type Response struct {
	Status int
	Body   []byte
}

// Transport sends one request: fetch in a browser or Node, net/http
// natively. RoundTrip may block. It must return once ctx is done, and must
// stop reading a body that grows past limits.MaxBodyBytes and return ErrTooLarge,
// so that neither a server that stalls nor one that never stops sending
// can hold a call or its memory.
type Transport interface {
	RoundTrip(ctx Context, req *Request) (*Response, error)
}

// ErrTooLarge is a Transport's error for a body over limits.MaxBodyBytes.
var ErrTooLarge = errors.New("the answer is larger than limits.MaxBodyBytes")

// TimeoutFromMillis reads a timeout given in milliseconds, as JS gives it,
// checking the range before converting so that no value can overflow.
func TimeoutFromMillis(ms int64) (time.Duration, error) {
	if ms < limits.MinTimeout.Milliseconds() || ms > limits.MaxTimeout.Milliseconds() {
		return 0, timeoutRange()
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// timeoutRange is a fresh error each time: callers may annotate errors.
func timeoutRange() error {
	return oauth.Invalid(options.TimeoutMs + " must be a whole number of milliseconds from " + limits.Millis(limits.MinTimeout) + " to " + limits.Millis(limits.MaxTimeout))
}
