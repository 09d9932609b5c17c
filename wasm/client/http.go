//go:build !js

package client

import (
	"context"
	"io"
	"net/http"
	"strings"

	"gotoauth/wasm/limits"
)

// HTTPTransport sends requests with net/http, for the client used natively
// (a backend, a relay, tests). It never follows redirects: a redirect
// would resend a code or a refresh token somewhere the caller did not
// choose. The js/wasm module uses fetch instead and never links net/http.
type HTTPTransport struct {
	// Client defaults to one with no redirects and no cookie jar; its own
	// Timeout, if any, applies on top of the context's deadline.
	Client *http.Client
}

var noRedirects = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// RoundTrip sends req and reads at most limits.MaxBodyBytes of the answer; the
// context bounds the whole exchange, body included.
func (t HTTPTransport) RoundTrip(ctx context.Context, req *Request) (*Response, error) {
	var body io.Reader
	if req.Body != "" {
		body = strings.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		return nil, err
	}
	for _, h := range req.Headers {
		hr.Header.Set(h[0], h[1])
	}
	c := t.Client
	if c == nil {
		c = noRedirects
	}
	resp, err := c.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limits.MaxBodyBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > limits.MaxBodyBytes {
		return nil, ErrTooLarge
	}
	return &Response{Status: resp.StatusCode, Body: b}, nil
}
