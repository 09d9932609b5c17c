//go:build js && wasm

package browser

import (
	"errors"
	"sync/atomic"

	"github.com/hack-pad/safejs"

	"gotoauth/wasm/client"
	"gotoauth/wasm/limits"
)

// Fetch sends requests with globalThis.fetch: net/http would add
// megabytes and, under Node, does not use fetch at all.
//
// RoundTrip blocks its goroutine, never a JS callback: it waits on one
// channel that promise callbacks and the context's end fill without ever
// blocking. Everything the abort needs (the AbortController, the
// context's timer) is held by Go until the call returns, so a garbage
// collection cannot take the timeout away while a body stalls.
type Fetch struct{}

func (Fetch) RoundTrip(ctx client.Context, req *client.Request) (*client.Response, error) {
	fetch, err := Get(safejs.Global(), "fetch")
	if err != nil || TypeOf(fetch) != safejs.TypeFunction {
		return nil, errors.New("globalThis.fetch is not available")
	}
	controller, err := jsAbortController.New()
	if err != nil {
		return nil, errors.New("AbortController is not available")
	}
	signal, err := Get(controller, "signal")
	if err != nil {
		return nil, errors.New("AbortController is not available")
	}
	w := &waiter{ctx: ctx, ch: make(chan settled, 1)}
	// When the context ends while the request is under way, abort: the
	// request, and any body still streaming, stop at once, and the promise
	// being waited for rejects. The waiter hears of it too, in case a
	// replaced fetch ignores the signal. A context ended after RoundTrip
	// returned (the caller's cancel, once the answer is read) aborts
	// nothing: an abort then would show a completed request as aborted
	// (net::ERR_ABORTED) in the browser. finished is set before RoundTrip
	// returns, so before any such cancel.
	var finished atomic.Bool
	defer finished.Store(true)
	if done := ctx.Done(); done != nil {
		go func() {
			<-done
			if finished.Load() {
				return
			}
			_, _ = controller.Call("abort")
			w.put(settled{err: ctx.Err()})
		}()
	}

	headers := map[string]any{}
	for _, h := range req.Headers {
		headers[h[0]] = h[1]
	}
	init := map[string]any{
		"method":  req.Method,
		"headers": headers,
		"signal":  signal,
		// Tokens must not be cached, cookies are not ours to send (the
		// relay's are the page's to send: web/gotoauth-relay.js), and a
		// redirect would resend the body somewhere we did not choose.
		"cache":       "no-store",
		"credentials": "omit",
		"redirect":    "error",
	}
	if req.Body != "" {
		init["body"] = req.Body
	}
	p, err := fetch.Invoke(req.URL, init)
	if err != nil {
		return nil, errors.New("fetch threw " + clipText(err.Error()))
	}
	resp, err := w.await(p)
	if err != nil {
		return nil, err
	}
	statusV, err := Get(resp, "status")
	if err != nil || TypeOf(statusV) != safejs.TypeNumber {
		return nil, errors.New("fetch answered without a status")
	}
	status, _ := statusV.Int()
	body, err := readBody(w, resp, controller)
	if err != nil {
		return nil, err
	}
	return &client.Response{Status: status, Body: body}, nil
}

// readBody reads the response's stream a chunk at a time and stops, with
// ErrTooLarge, as soon as it would pass limits.MaxBodyBytes.
func readBody(w *waiter, resp, controller safejs.Value) ([]byte, error) {
	stream, err := Get(resp, "body")
	if err != nil {
		return nil, errors.New("the response body could not be read")
	}
	if IsNullish(stream) {
		return nil, nil // no body (204, 304)
	}
	reader, err := stream.Call("getReader")
	if err != nil {
		return nil, errors.New("the response body could not be read")
	}
	var body []byte
	for {
		chunk, err := w.await(mustCall(reader, "read"))
		if err != nil {
			return nil, err
		}
		done, _ := Get(chunk, "done")
		if d, _ := done.Bool(); d {
			return body, nil
		}
		value, err := Get(chunk, "value")
		if err != nil {
			return nil, errors.New("the response body could not be read")
		}
		if ok, _ := value.InstanceOf(jsUint8Array); !ok {
			return nil, errors.New("the response body is not bytes")
		}
		n, err := Length(value)
		if err != nil {
			return nil, errors.New("the response body could not be read")
		}
		if len(body)+n > limits.MaxBodyBytes {
			// Aborting errors the stream and tells the server to stop.
			_, _ = controller.Call("abort")
			return nil, client.ErrTooLarge
		}
		body = append(body, make([]byte, n)...)
		if got, err := safejs.CopyBytesToGo(body[len(body)-n:], value); err != nil || got != n {
			return nil, errors.New("the response body could not be read")
		}
	}
}

// mustCall calls a method and gives back its result, or a rejected
// promise when the call threw, so await reports it.
func mustCall(v safejs.Value, method string) safejs.Value {
	r, err := v.Call(method)
	if err != nil {
		r, _ = jsPromise.Call("reject", err.Error())
	}
	return r
}

type settled struct {
	v   safejs.Value
	err error
}

// waiter waits for one promise at a time, in a goroutine, with no select:
// the promise's callbacks and the context's end all put their outcome in
// one channel, never blocking (a callback that blocked would stop the
// whole module), and await takes the first.
type waiter struct {
	ctx client.Context
	ch  chan settled
}

// put offers an outcome; when one is already waiting, the new one is
// dropped, which is safe because await checks the context before each
// promise.
func (w *waiter) put(s settled) {
	select {
	case w.ch <- s:
	default:
	}
}

// await waits for the promise p. Its two callbacks are released once one
// of them has run; if the context ends first, the abort makes the promise
// settle and release them.
func (w *waiter) await(p safejs.Value) (safejs.Value, error) {
	if err := w.ctx.Err(); err != nil {
		return safejs.Undefined(), err
	}
	var onOK, onErr safejs.Func
	release := func() { onOK.Release(); onErr.Release() }
	onOK, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		release()
		w.put(settled{v: firstArg(args)})
		return nil
	})
	if err != nil {
		return safejs.Undefined(), errors.New("internal error: no callback")
	}
	onErr, err = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		release()
		w.put(settled{err: errors.New(reasonText(firstArg(args)))})
		return nil
	})
	if err != nil {
		onOK.Release()
		return safejs.Undefined(), errors.New("internal error: no callback")
	}
	// Promise.resolve accepts any value, so a fetch replaced by one that
	// returns a plain value is reported, not left pending.
	wrapped, err := jsPromise.Call("resolve", p)
	if err == nil {
		_, err = wrapped.Call("then", onOK, onErr)
	}
	if err != nil {
		release()
		return safejs.Undefined(), errors.New("not a promise")
	}
	s := <-w.ch
	if s.err == nil && w.ctx.Err() != nil {
		return safejs.Undefined(), w.ctx.Err()
	}
	return s.v, s.err
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

func clipText(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
