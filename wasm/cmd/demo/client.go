//go:build js && wasm

package main

import (
	"github.com/hack-pad/safejs"
)

// client is one gotoauth client (gotoauth.client(config)) and its session,
// whose events the page listens to. Its methods block: call them on a
// goroutine.
type client struct {
	v, session safejs.Value
	// key is the encoded settings the client was made from.
	key string
	// relay: the client signs in through a token relay, which holds the
	// refresh token; flow is its configured flow.
	relay bool
	flow  string
	// listeners stay registered for the page's life.
	listeners []safejs.Func
}

// newClient makes the client cfg describes (ClientConfig in gotoauth.d.ts).
func newClient(cfg map[string]any, key string) (*client, error) {
	lib, err := library()
	if err != nil {
		return nil, err
	}
	o, err := safejs.ValueOf(cfg)
	if err != nil {
		return nil, internalError(err)
	}
	v, err := call(lib, "client", o)
	if err != nil {
		return nil, err
	}
	config := get(v, "config")
	return &client{v: v, session: get(v, "session"), key: key, relay: str(config, "relay") != "", flow: str(config, "flow")}, nil
}

// on calls f with each of the session's events of the type, with the
// event's detail, on the event loop.
func (c *client) on(typ string, f func(detail safejs.Value)) {
	fn, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		detail := get(arg(args, 0), "detail")
		post(func() { f(detail) })
		return nil
	})
	if err != nil {
		return
	}
	if _, err := c.session.Call("addEventListener", typ, fn); err != nil {
		fn.Release()
		return
	}
	c.listeners = append(c.listeners, fn)
}

// authorize builds the authorize URL and remembers its state.
func (c *client) authorize() (string, error) {
	a, err := call(c.v, "authorize")
	if err != nil {
		return "", err
	}
	return str(a, "url"), nil
}

// handleRedirect checks and consumes the redirect in the address bar,
// which it cleans; the result is what exchangeCode takes, as it is.
func (c *client) handleRedirect() (result safejs.Value, kind string, err error) {
	r, err := call(c.v, "handleRedirect")
	if err != nil {
		return r, "", err
	}
	return r, str(r, "kind"), nil
}

func (c *client) exchangeCode(result safejs.Value) (*token, error) {
	return c.tokenCall("exchangeCode", result)
}

// refresh refreshes through the relay (refreshToken ""), or with the
// refresh token outside relay mode.
func (c *client) refresh(refreshToken string) (*token, error) {
	if c.relay {
		return c.tokenCall("refresh")
	}
	return c.tokenCall("refresh", refreshToken)
}

// token is session.token(): a fresh token, renewed first when needed.
func (c *client) token() (*token, error) {
	return tokenOf(c.session, "token")
}

func (c *client) tokenCall(method string, args ...any) (*token, error) {
	return tokenOf(c.v, method, args...)
}

// tokenOf calls a method that resolves to a token.
func tokenOf(obj safejs.Value, method string, args ...any) (*token, error) {
	v, err := call(obj, method, args...)
	if err != nil {
		return nil, err
	}
	t := readToken(v)
	if t == nil {
		return nil, &apiError{Code: "internal", Message: method + " resolved to no token"}
	}
	return t, nil
}

func (c *client) signOut() error {
	_, err := call(c.v, "signOut")
	return err
}

func (c *client) me(accessToken string) (*profile, error) {
	v, err := call(c.v, "me", accessToken)
	if err != nil {
		return nil, err
	}
	return readProfile(v), nil
}
