//go:build js && wasm

package browser

import (
	"errors"

	"github.com/hack-pad/safejs"

	"gotoauth/wasm/client"
)

// Fetch sends requests with globalThis.fetch: net/http would add
// megabytes and, under Node, does not use fetch at all.
type Fetch struct{}

// maxBody bounds what is read of a response.
const maxBody = 1 << 20

func (Fetch) Do(req client.Request, done func(*client.Response, error)) {
	called := false
	finish := func(r *client.Response, err error) {
		if called {
			return
		}
		called = true
		done(r, err)
	}
	fetch, err := safejs.Global().Get("fetch")
	if err != nil || TypeOf(fetch) != safejs.TypeFunction {
		finish(nil, errors.New("globalThis.fetch is not available"))
		return
	}
	headers := map[string]any{}
	for _, h := range req.Headers {
		headers[h[0]] = h[1]
	}
	init := map[string]any{
		"method":  req.Method,
		"headers": headers,
		// Tokens must not be cached, cookies are not ours to send, and a
		// redirect would resend the body somewhere we did not choose.
		"cache":       "no-store",
		"credentials": "omit",
		"redirect":    "error",
	}
	if req.Body != "" {
		init["body"] = req.Body
	}
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = client.DefaultTimeout
	}
	// AbortSignal.timeout is in every current browser and in Node 18+;
	// without it the request has no timeout of its own.
	if as, err := Get(safejs.Global(), "AbortSignal"); err == nil && TypeOf(as) == safejs.TypeFunction {
		if signal, err := as.Call("timeout", timeout.Milliseconds()); err == nil {
			init["signal"] = signal
		}
	}
	p, err := fetch.Invoke(req.URL, init)
	if err != nil {
		finish(nil, errors.New("fetch threw: "+jsMessage(err)))
		return
	}
	then(p, func(resp safejs.Value) {
		statusV, _ := resp.Get("status")
		status, _ := statusV.Int()
		text, err := resp.Call("text")
		if err != nil {
			finish(&client.Response{Status: status}, nil)
			return
		}
		then(text, func(body safejs.Value) {
			r := &client.Response{Status: status}
			if n, err := StringLength(body); err == nil && n <= maxBody {
				if parsed, err := JSON.Call("parse", body); err == nil && TypeOf(parsed) == safejs.TypeObject && !parsed.IsNull() && !IsArray(parsed) {
					if g, err := ToGo(parsed); err == nil {
						r.JSON, _ = g.(map[string]any)
					}
				}
			}
			finish(r, nil)
		}, func(reason safejs.Value) {
			finish(nil, errors.New("the response body could not be read"))
		}, finish)
	}, func(reason safejs.Value) {
		finish(nil, errors.New(reasonText(reason)))
	}, finish)
}

// then attaches Go callbacks to a JS promise. Both are released after the
// first call, and a panic in either reports an error instead of ending the
// program.
func then(p safejs.Value, onOK, onErr func(safejs.Value), finish func(*client.Response, error)) {
	var ok, fail safejs.Func
	release := func() { ok.Release(); fail.Release() }
	wrap := func(f func(safejs.Value)) func(safejs.Value, []safejs.Value) any {
		return func(_ safejs.Value, args []safejs.Value) any {
			release()
			defer func() {
				if r := recover(); r != nil {
					func() {
						defer func() { recover() }()
						finish(nil, errors.New("internal error in a fetch callback"))
					}()
				}
			}()
			f(firstArg(args))
			return nil
		}
	}
	ok, _ = safejs.FuncOf(wrap(onOK))
	fail, _ = safejs.FuncOf(wrap(onErr))
	if _, err := p.Call("then", ok, fail); err != nil {
		release()
		finish(nil, errors.New("not a promise"))
	}
}

func firstArg(args []safejs.Value) safejs.Value {
	if len(args) > 0 {
		return args[0]
	}
	return safejs.Undefined()
}

func reasonText(v safejs.Value) string {
	if TypeOf(v) == safejs.TypeObject && !v.IsNull() {
		if m, err := Get(v, "message"); err == nil && TypeOf(m) == safejs.TypeString {
			s, _ := m.String()
			return clipText(s)
		}
	}
	return "fetch failed"
}

func jsMessage(err error) string { return clipText(err.Error()) }

func clipText(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
