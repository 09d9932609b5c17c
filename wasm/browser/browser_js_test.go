//go:build js && wasm

package browser

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hack-pad/safejs"

	"gotoauth/wasm/client"
	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
)

// These tests run under Node (go_js_wasm_exec): fetch, location, history
// and sessionStorage are JS functions and objects the tests put on the
// global object, and take away again.

// jsFunc makes a JS function from its parameters and body.
func jsFunc(t *testing.T, params string, body string) safejs.Value {
	t.Helper()
	f, err := MustGlobal("Function").New(params, body)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// jsEval runs JS statements and returns their value.
func jsEval(t *testing.T, body string) safejs.Value {
	t.Helper()
	v, err := jsFunc(t, "", body).Invoke()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// setGlobal sets globalThis[name] for the test, putting back what was
// there (or nothing) when it ends.
func setGlobal(t *testing.T, name string, v any) {
	t.Helper()
	g := safejs.Global()
	had := jsEval(t, "return Object.prototype.hasOwnProperty.call(globalThis, '"+name+"')")
	old, _ := g.Get(name)
	if err := g.Set(name, v); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if ok, _ := had.Bool(); ok {
			_ = g.Set(name, old)
		} else {
			_ = g.Delete(name)
		}
	})
}

// testCtx is a client.Context the test ends by hand.
type testCtx struct {
	done chan struct{}
	once sync.Once
	mu   sync.Mutex
	err  error
}

func newCtx() *testCtx { return &testCtx{done: make(chan struct{})} }

func (c *testCtx) Done() <-chan struct{} { return c.done }
func (c *testCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}
func (c *testCtx) cancel(err error) {
	c.once.Do(func() {
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		close(c.done)
	})
}

// lastInit is the init object the fake fetch was called with.
func lastInit(t *testing.T, key string) safejs.Value {
	t.Helper()
	init, err := Get(safejs.Global(), "__fetchInit")
	if err != nil || IsNullish(init) {
		t.Fatal("fetch was not called")
	}
	v, err := Get(init, key)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func signalAborted(t *testing.T) bool {
	t.Helper()
	a, _ := Get(lastInit(t, "signal"), "aborted")
	b, _ := a.Bool()
	return b
}

// A body streamed in chunks comes back whole, with the status; the
// request goes out as the client needs it: no cookies, no cache, no
// redirect, its headers and body.
func TestFetchReadsAStreamedBody(t *testing.T) {
	setGlobal(t, "fetch", jsFunc(t, "url, init", `
		globalThis.__fetchInit = init; globalThis.__fetchURL = url;
		const enc = new TextEncoder();
		const chunks = ['{"access_', 'token":"a",', '"token_type":"Bearer"}'];
		return Promise.resolve(new Response(new ReadableStream({
			pull(c) { const next = chunks.shift(); if (next === undefined) c.close(); else c.enqueue(enc.encode(next)); },
		}), { status: 201 }));`))
	resp, err := Fetch{}.RoundTrip(client.Background(), &client.Request{
		Method: "POST", URL: "https://as.example/token", Body: "a=b",
		Headers: [][2]string{{"Accept", "application/json"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 201 || string(resp.Body) != `{"access_token":"a","token_type":"Bearer"}` {
		t.Fatalf("got %d %q", resp.Status, resp.Body)
	}
	for key, want := range map[string]string{"method": "POST", "credentials": "omit", "cache": "no-store", "redirect": "error", "body": "a=b"} {
		if got, _ := lastInit(t, key).String(); got != want {
			t.Errorf("init.%s = %q, want %q", key, got, want)
		}
	}
	if accept, _ := Get(lastInit(t, "headers"), "Accept"); TypeOf(accept) != safejs.TypeString {
		t.Error("the Accept header was not sent")
	}
}

// A body that never stops is read up to limits.MaxBodyBytes and no
// further: ErrTooLarge, and the request is aborted.
func TestFetchStopsAnEndlessBody(t *testing.T) {
	setGlobal(t, "fetch", jsFunc(t, "url, init", `
		globalThis.__fetchInit = init;
		const chunk = new Uint8Array(64 * 1024);
		return Promise.resolve(new Response(new ReadableStream({ pull(c) { c.enqueue(chunk); } })));`))
	_, err := Fetch{}.RoundTrip(client.Background(), &client.Request{Method: "GET", URL: "https://api.example/me"})
	if !errors.Is(err, client.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if !signalAborted(t) {
		t.Error("the endless body was not aborted")
	}
}

// A body of exactly limits.MaxBodyBytes is read, one byte more is not; no
// body at all (204) is an empty one.
func TestFetchBodyBounds(t *testing.T) {
	setGlobal(t, "fetch", jsFunc(t, "url, init", `globalThis.__fetchInit = init;
		if (url.endsWith('/empty')) return Promise.resolve(new Response(null, { status: 204 }));
		return Promise.resolve(new Response(new Uint8Array(`+strconv.Itoa(limits.MaxBodyBytes)+` + (url.endsWith('/over') ? 1 : 0))));`))
	if _, err := (Fetch{}).RoundTrip(client.Background(), &client.Request{Method: "GET", URL: "https://api.example/over"}); !errors.Is(err, client.ErrTooLarge) {
		t.Fatalf("a body one byte over the limit: %v", err)
	}
	resp, err := Fetch{}.RoundTrip(client.Background(), &client.Request{Method: "GET", URL: "https://api.example/full"})
	if err != nil || len(resp.Body) != limits.MaxBodyBytes {
		t.Fatalf("a body of the limit: %v", err)
	}
	resp, err = Fetch{}.RoundTrip(client.Background(), &client.Request{Method: "GET", URL: "https://api.example/empty"})
	if err != nil || resp.Status != 204 || len(resp.Body) != 0 {
		t.Fatalf("no body: %+v %v", resp, err)
	}
}

// A request whose context ends stops at once, whether the fetch honours
// the abort signal or ignores it and never settles.
func TestFetchAbortsWhenTheContextEnds(t *testing.T) {
	for name, body := range map[string]string{
		"honours the signal": `globalThis.__fetchInit = init;
			return new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(new Error('aborted'))));`,
		"ignores the signal": `globalThis.__fetchInit = init; return new Promise(() => {});`,
		"stalls in the body": `globalThis.__fetchInit = init;
			return Promise.resolve(new Response(new ReadableStream({ pull() { return new Promise(() => {}); } })));`,
	} {
		t.Run(name, func(t *testing.T) {
			setGlobal(t, "fetch", jsFunc(t, "url, init", body))
			ctx := newCtx()
			errc := make(chan error, 1)
			go func() {
				_, err := Fetch{}.RoundTrip(ctx, &client.Request{Method: "POST", URL: "https://as.example/token"})
				errc <- err
			}()
			time.Sleep(20 * time.Millisecond) // let the request start
			cause := errors.New("ended by the test")
			ctx.cancel(cause)
			select {
			case err := <-errc:
				if err == nil {
					t.Fatal("an aborted request succeeded")
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the request did not end with its context")
			}
			if !signalAborted(t) {
				t.Error("the fetch's signal was not aborted")
			}
		})
	}
}

// A fetch that throws, returns something other than a promise, or
// answers without a status is an error, not a panic.
func TestFetchMisbehaving(t *testing.T) {
	for name, body := range map[string]string{
		"throws":        `throw new TypeError('no network');`,
		"no status":     `return Promise.resolve({});`,
		"rejects":       `return Promise.reject(new Error('offline'));`,
		"not bytes":     `return Promise.resolve({ status: 200, body: { getReader: () => ({ read: () => Promise.resolve({ done: false, value: 'text' }) }) } });`,
		"plain value":   `return 42;`,
		"reader throws": `return Promise.resolve({ status: 200, body: { getReader() { throw new Error('locked'); } } });`,
	} {
		t.Run(name, func(t *testing.T) {
			setGlobal(t, "fetch", jsFunc(t, "url, init", body))
			if _, err := (Fetch{}).RoundTrip(client.Background(), &client.Request{Method: "GET", URL: "https://x.example/"}); err == nil {
				t.Error("no error")
			}
		})
	}
	setGlobal(t, "fetch", safejs.Undefined())
	if _, err := (Fetch{}).RoundTrip(client.Background(), &client.Request{Method: "GET", URL: "https://x.example/"}); err == nil {
		t.Error("no fetch: no error")
	}
}

// mapStorage is a Web Storage-like object over a JS Map.
func mapStorage(t *testing.T) safejs.Value {
	return jsEval(t, `const m = new Map(); return {
		getItem: (k) => (m.has(k) ? m.get(k) : null),
		setItem: (k, v) => { m.set(k, v); },
		removeItem: (k) => { m.delete(k); },
		_map: m,
	};`)
}

func TestStorage(t *testing.T) {
	s := Storage{V: mapStorage(t)}
	if _, ok, err := s.GetItem("k"); ok || err != nil {
		t.Fatalf("missing item: ok=%v err=%v", ok, err)
	}
	if err := s.SetItem("k", "v é"); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := s.GetItem("k"); !ok || err != nil || v != "v é" {
		t.Fatalf("GetItem = %q %v %v", v, ok, err)
	}
	if err := s.RemoveItem("k"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.GetItem("k"); ok {
		t.Fatal("the item outlived RemoveItem")
	}
	// A value that is not a string is held but unreadable: Take reports a
	// mismatch rather than trusting it.
	odd := Storage{V: jsEval(t, `return { getItem: () => 42, setItem() {}, removeItem() {} };`)}
	if v, ok, err := odd.GetItem("k"); !ok || err != nil || v != "" {
		t.Errorf("a number from getItem: %q %v %v", v, ok, err)
	}
	// A storage that throws (a full quota, a sandboxed frame) is an error.
	throwing := Storage{V: jsEval(t, `const f = () => { throw new Error('QuotaExceededError'); }; return { getItem: f, setItem: f, removeItem: f };`)}
	if _, _, err := throwing.GetItem("k"); err == nil {
		t.Error("a throwing getItem is not an error")
	}
	if err := throwing.SetItem("k", "v"); err == nil {
		t.Error("a throwing setItem is not an error")
	}
	if err := throwing.RemoveItem("k"); err == nil {
		t.Error("a throwing removeItem is not an error")
	}
}

func TestSessionStorage(t *testing.T) {
	setGlobal(t, "sessionStorage", safejs.Undefined())
	if _, ok := SessionStorage(); ok {
		t.Fatal("a sessionStorage where there is none")
	}
	setGlobal(t, "sessionStorage", mapStorage(t))
	ss, ok := SessionStorage()
	if !ok {
		t.Fatal("globalThis.sessionStorage not found")
	}
	if err := ss.SetItem("a", "b"); err != nil {
		t.Fatal(err)
	}
	if v, _, _ := ss.GetItem("a"); v != "b" {
		t.Fatalf("GetItem = %q", v)
	}
	// A sandboxed frame throws when sessionStorage is read.
	_, _ = jsFunc(t, "", `Object.defineProperty(globalThis, 'sessionStorage', { configurable: true, get() { throw new Error('SecurityError'); } });`).Invoke()
	if _, ok := SessionStorage(); ok {
		t.Fatal("a throwing sessionStorage was used")
	}
}

// setAddress puts a location with href and a history that records
// replaceState's calls on the global object.
func setAddress(t *testing.T, href string) {
	t.Helper()
	loc := jsEval(t, `return {};`)
	_ = loc.Set("href", href)
	setGlobal(t, "location", loc)
	setGlobal(t, "history", jsEval(t, `return { state: { app: 1 }, calls: [], replaceState(s, title, url) { this.calls.push([s, title, url]); } };`))
}

// replaced returns the URLs history.replaceState was called with.
func replaced(t *testing.T) []string {
	t.Helper()
	h, _ := Get(safejs.Global(), "history")
	calls, _ := Get(h, "calls")
	n, _ := Length(calls)
	var out []string
	for i := 0; i < n; i++ {
		c, _ := Get(calls, i)
		u, _ := Get(c, 2)
		s, _ := u.String()
		state, _ := Get(c, 0)
		if app, _ := Get(state, "app"); TypeOf(app) != safejs.TypeNumber {
			t.Error("replaceState lost the page's history state")
		}
		out = append(out, s)
	}
	return out
}

func TestCurrentAddress(t *testing.T) {
	setGlobal(t, "location", safejs.Undefined())
	if _, err := CurrentAddress(); err == nil {
		t.Fatal("an address where there is no location")
	} else if e, ok := err.(*oauth.Error); !ok || e.Code != oauth.InvalidArgument {
		t.Fatalf("err = %v", err)
	}
	setAddress(t, "https://app.example/cb?code=c&state=s")
	if got, err := CurrentAddress(); err != nil || got != "https://app.example/cb?code=c&state=s" {
		t.Fatalf("CurrentAddress = %q %v", got, err)
	}
	setAddress(t, "https://app.example/?"+strings.Repeat("a", limits.MaxURLLength))
	if _, err := CurrentAddress(); err == nil {
		t.Fatal("an address over the limit was read")
	}
}

func TestCleanAddressBar(t *testing.T) {
	const here = "https://app.example/cb?tab=2&code=c&state=s#/settings"
	// The current address, read by the caller: cleaned without reading it again.
	setAddress(t, here)
	CleanAddressBar(here, true)
	if got := replaced(t); len(got) != 1 || got[0] != "https://app.example/cb?tab=2#/settings" {
		t.Fatalf("replaceState calls %q", got)
	}
	// Another URL than the current address: the address bar is not touched.
	setAddress(t, here)
	CleanAddressBar("https://app.example/other?code=c&state=s", false)
	if got := replaced(t); len(got) != 0 {
		t.Fatalf("a foreign URL changed the address bar: %q", got)
	}
	// The current address given by the caller, compared once.
	setAddress(t, here)
	CleanAddressBar(here, false)
	if got := replaced(t); len(got) != 1 {
		t.Fatalf("replaceState calls %q", got)
	}
	// Nothing to remove: no history entry is replaced.
	setAddress(t, "https://app.example/#/settings")
	CleanAddressBar("https://app.example/#/settings", true)
	if got := replaced(t); len(got) != 0 {
		t.Fatalf("a clean address was replaced: %q", got)
	}
	// A token in the fragment goes, fragment and all.
	setAddress(t, "https://app.example/cb#access_token=t&token_type=Bearer&state=s")
	CleanAddressBar("https://app.example/cb#access_token=t&token_type=Bearer&state=s", true)
	if got := replaced(t); len(got) != 1 || got[0] != "https://app.example/cb" {
		t.Fatalf("replaceState calls %q", got)
	}
	// No history (a worker, Node): nothing happens, nothing panics.
	setGlobal(t, "history", safejs.Undefined())
	CleanAddressBar(here, true)
}
