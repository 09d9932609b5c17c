package client

import "time"

// Request is an HTTP request the client needs sent.
type Request struct {
	Method  string
	URL     string
	Headers [][2]string
	Body    string
	// Timeout ends the request with an error when no answer has come;
	// zero means DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout bounds a token or /me request, so that a server that never
// answers cannot leave a sign-in pending forever.
const DefaultTimeout = 30 * time.Second

// Response is what came back. JSON is the body parsed as a JSON object, or
// nil when it was not one.
type Response struct {
	Status int
	JSON   map[string]any
}

// Transport sends requests: fetch in a browser or Node, net/http in tests.
// Do must not block the caller on JS; it calls done exactly once.
type Transport interface {
	Do(req Request, done func(*Response, error))
}
