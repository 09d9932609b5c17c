//go:build js && wasm

package bridge

import (
	"strings"
	"testing"

	"github.com/hack-pad/safejs"

	"gotoauth/wasm/browser"
)

// testAPI boots the API with a stand-in GoToAuthError: a Go constructor
// that returns {code, message, ...details}, marked isError.
func testAPI(t *testing.T) safejs.Value {
	t.Helper()
	class, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		code, _ := args[0].String()
		msg, _ := args[1].String()
		obj := map[string]any{"isError": true, "code": code, "message": msg}
		if len(args) > 2 {
			for _, k := range []string{"error", "errorDescription", "status"} {
				if v, err := browser.Get(args[2], k); err == nil && !browser.IsNullish(v) {
					obj[k] = v
				}
			}
		}
		return obj
	})
	if err != nil {
		t.Fatal(err)
	}
	api, err := Boot(class.Value())
	if err != nil {
		t.Fatal(err)
	}
	return api
}

func call(t *testing.T, api safejs.Value, name string, args ...any) safejs.Value {
	t.Helper()
	v, err := api.Call(name, args...)
	if err != nil {
		t.Fatalf("%s threw across the boundary: %v", name, err)
	}
	return v
}

func errCode(v safejs.Value) string {
	if browser.TypeOf(v) != safejs.TypeObject {
		return ""
	}
	isErr, _ := browser.Get(v, "isError")
	if b, _ := isErr.Bool(); !b {
		return ""
	}
	c, _ := browser.Get(v, "code")
	s, _ := c.String()
	return s
}

func str(t *testing.T, v safejs.Value, key string) string {
	t.Helper()
	f, err := browser.Get(v, key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.String()
	if err != nil {
		t.Fatalf("%s is not a string", key)
	}
	return s
}

func TestBadArgumentsComeBackAsErrors(t *testing.T) {
	api := testAPI(t)
	huge := strings.Repeat("x", 5<<20)
	bigint, _ := safejs.Global().Call("BigInt", 10)
	bad := []any{nil, safejs.Undefined(), safejs.Null(), 0, 3.5, true, map[string]any{}, []any{1}, huge, bigint}
	for _, name := range []string{"authorizeURL", "parseRedirect", "normalizeTokenResponse", "migrateURL", "client"} {
		for i, v := range bad {
			got := call(t, api, name, v)
			code := errCode(got)
			if code == "" {
				t.Errorf("%s(bad[%d]) did not return an error", name, i)
			} else if code == "internal" {
				m, _ := browser.Get(got, "message")
				t.Errorf("%s(bad[%d]) hit an internal error: %v", name, i, m)
			}
		}
	}
}

func TestGoodCallsAfterBadOnes(t *testing.T) {
	api := testAPI(t)
	for i := 0; i < 1000; i++ {
		call(t, api, "parseRedirect", i)
	}
	r := call(t, api, "parseRedirect", "https://app.example/cb?code=abc&state=xyz")
	if errCode(r) != "" || str(t, r, "kind") != "code" || str(t, r, "code") != "abc" || str(t, r, "state") != "xyz" {
		t.Fatalf("parseRedirect after bad calls: %v", r)
	}
	a := call(t, api, "authorizeURL", map[string]any{"clientId": "c", "scope": []any{"a", "b"}})
	if !strings.Contains(str(t, a, "url"), "scope=a%20b") {
		t.Fatalf("url %s", str(t, a, "url"))
	}
}

func TestPKCEFromGetRandomValues(t *testing.T) {
	api := testAPI(t)
	p := call(t, api, "pkce")
	v := str(t, p, "verifier")
	if len(v) < 43 || str(t, p, "method") != "S256" {
		t.Fatalf("pkce() = %s", v)
	}
	if str(t, call(t, api, "pkce"), "verifier") == v {
		t.Fatal("verifier repeated")
	}
}

// await waits for a promise; blocking here lets the JS event loop run.
func await(t *testing.T, p safejs.Value) (value safejs.Value, rejected bool) {
	t.Helper()
	type result struct {
		v        safejs.Value
		rejected bool
	}
	ch := make(chan result, 1)
	ok, _ := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any { ch <- result{args[0], false}; return nil })
	fail, _ := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any { ch <- result{args[0], true}; return nil })
	defer ok.Release()
	defer fail.Release()
	if _, err := p.Call("then", ok, fail); err != nil {
		t.Fatalf("not a promise: %v", err)
	}
	r := <-ch
	return r.v, r.rejected
}

func TestClientRoundTripAndReplay(t *testing.T) {
	api := testAPI(t)
	c := call(t, api, "client", map[string]any{"clientId": "c", "redirectUri": "http://127.0.0.1:8080/cb"})
	if errCode(c) != "" {
		t.Fatalf("client: %v", str(t, c, "message"))
	}
	a := call(t, c, "authorize")
	state := str(t, a, "state")
	redirect := "http://127.0.0.1:8080/cb?code=abc&state=" + state
	r, rejected := await(t, call(t, c, "handleRedirect", redirect))
	if rejected || str(t, r, "code") != "abc" || str(t, r, "codeVerifier") == "" {
		t.Fatalf("handleRedirect rejected=%v", rejected)
	}
	e, rejected := await(t, call(t, c, "handleRedirect", redirect))
	if !rejected || errCode(e) != "state_mismatch" {
		t.Fatalf("replay: rejected=%v code=%q", rejected, errCode(e))
	}
	// A look-alike of the result is not accepted.
	forged, _ := safejs.ValueOf(map[string]any{"kind": "code", "code": "abc", "state": state})
	if code := errCode(call(t, c, "exchangeCode", forged)); code != "invalid_argument" {
		t.Fatalf("forged result: %q", code)
	}
}

func TestThrowingGetterIsAnError(t *testing.T) {
	api := testAPI(t)
	// A Proxy whose get trap throws (JSON.parse of "[object Object]").
	jsonParse, _ := browser.JSON.Get("parse")
	handler, _ := safejs.ValueOf(map[string]any{})
	_ = handler.Set("get", jsonParse)
	target, _ := safejs.ValueOf(map[string]any{"access_token": "a", "token_type": "Bearer"})
	proxy, err := browser.MustGlobal("Proxy").New(target, handler)
	if err != nil {
		t.Fatal(err)
	}
	if code := errCode(call(t, api, "normalizeTokenResponse", proxy)); code != "invalid_argument" {
		t.Fatalf("throwing getter: code %q", code)
	}
	if code := errCode(call(t, api, "authorizeURL", proxy)); code != "invalid_argument" {
		t.Fatalf("throwing getter: code %q", code)
	}
	if code := errCode(call(t, api, "migrateURL", "https://api.getgo.com/oauth/v2/token")); code != "" {
		t.Fatalf("good call after a throwing getter failed: %s", code)
	}
}
