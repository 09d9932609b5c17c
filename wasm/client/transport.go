package client

// Request is an HTTP request the client needs sent.
type Request struct {
	Method  string
	URL     string
	Headers [][2]string
	Body    string
}

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
