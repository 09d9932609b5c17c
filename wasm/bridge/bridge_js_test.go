//go:build js && wasm

package bridge

import (
	"strings"
	"testing"

	"github.com/hack-pad/safejs"

	"gotoauth/wasm/browser"
	"gotoauth/wasm/limits"
)

var jsJSON = browser.MustGlobal("JSON")

// envelope calls a raw function and parses its JSON answer in JS.
func envelope(t *testing.T, api safejs.Value, name string, args ...any) safejs.Value {
	t.Helper()
	text, err := api.Call(name, args...)
	if err != nil {
		t.Fatalf("%s threw across the boundary: %v", name, err)
	}
	if tt := browser.TypeOf(text); tt != safejs.TypeString && tt != safejs.TypeNumber {
		t.Fatalf("%s returned no JSON text", name)
	}
	if browser.TypeOf(text) == safejs.TypeNumber {
		n, _ := text.Int()
		text, _ = safejs.ValueOf(string(readShared(t, n)))
	}
	v, err := jsJSON.Call("parse", text)
	if err != nil {
		s, _ := text.String()
		t.Fatalf("%s returned invalid JSON %q", name, s)
	}
	return v
}

func errCode(t *testing.T, env safejs.Value) string {
	t.Helper()
	e, _ := browser.Get(env, "error")
	if browser.IsNullish(e) {
		return ""
	}
	c, _ := browser.Get(e, "code")
	s, _ := c.String()
	return s
}

func ok(t *testing.T, env safejs.Value) safejs.Value {
	t.Helper()
	if code := errCode(t, env); code != "" {
		e, _ := browser.Get(env, "error")
		m, _ := browser.Get(e, "message")
		msg, _ := m.String()
		t.Fatalf("unexpected error %s: %s", code, msg)
	}
	v, _ := browser.Get(env, "ok")
	return v
}

func field(t *testing.T, v safejs.Value, key string) string {
	t.Helper()
	f, err := browser.Get(v, key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.String()
	if err != nil || browser.TypeOf(f) != safejs.TypeString {
		t.Fatalf("%s is not a string", key)
	}
	return s
}

func readShared(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if got, err := safejs.CopyBytesToGo(b, shared); err != nil || got != n {
		t.Fatalf("reading %d bytes of the shared buffer: %v", n, err)
	}
	return b
}

// testAPI boots the API with the smallest shared buffer, as the loader does.
func testAPI(t *testing.T) safejs.Value {
	t.Helper()
	api, err := Boot()
	if err != nil {
		t.Fatal(err)
	}
	buf, _ := uint8Array.New(limits.MinBuffer)
	ok(t, envelope(t, api, "setBuffer", 0, buf))
	return api
}

// put writes s into the shared buffer and returns its length, as the
// loader passes payloads.
func put(t *testing.T, s string) int {
	t.Helper()
	if n, err := safejs.CopyBytesToJS(shared, []byte(s)); err != nil || n != len(s) {
		t.Fatal("payload does not fit")
	}
	return len(s)
}

func TestBadArgumentsComeBackAsErrors(t *testing.T) {
	api := testAPI(t)
	huge := strings.Repeat("x", 5<<20)
	bigint, _ := safejs.Global().Call("BigInt", 10)
	bad := []any{nil, safejs.Undefined(), safejs.Null(), 0, 3.5, true, map[string]any{}, []any{1}, huge, bigint, "code=%zz&code=1"}
	for _, name := range []string{"authorizeURL", "parseRedirect", "normalizeTokenResponse", "migrateURL", "newClient", "clientAuthorize", "clientHandleRedirect", "clientRefresh", "clientMe", "clientExchangeCode", "setBuffer"} {
		for i, v := range bad {
			code := errCode(t, envelope(t, api, name, v, v))
			if code == "" {
				t.Errorf("%s(bad[%d]) did not return an error", name, i)
			} else if code == "internal" {
				t.Errorf("%s(bad[%d]) hit an internal error", name, i)
			}
		}
	}
}

func TestGoodCallsAfterBadOnes(t *testing.T) {
	api := testAPI(t)
	for i := 0; i < 1000; i++ {
		envelope(t, api, "parseRedirect", i)
	}
	r := ok(t, envelope(t, api, "parseRedirect", put(t, "https://app.example/cb?code=abc&state=xyz")))
	if field(t, r, "kind") != "code" || field(t, r, "code") != "abc" || field(t, r, "state") != "xyz" {
		t.Fatal("parseRedirect after bad calls")
	}
	a := ok(t, envelope(t, api, "authorizeURL", "clientId=c&scope=a%20b&extra.prompt=login"))
	if u := field(t, a, "url"); !strings.Contains(u, "scope=a%20b") || !strings.HasSuffix(u, "&prompt=login") {
		t.Fatalf("url %s", u)
	}
	if code := errCode(t, envelope(t, api, "authorizeURL", "clientId=c&extra.state=x")); code != "invalid_argument" {
		t.Fatalf("extra state: %q", code)
	}
}

func TestPKCEFromGetRandomValues(t *testing.T) {
	api := testAPI(t)
	p := ok(t, envelope(t, api, "pkce"))
	v := field(t, p, "verifier")
	if len(v) < 43 || field(t, p, "method") != "S256" {
		t.Fatalf("pkce() = %s", v)
	}
	if field(t, ok(t, envelope(t, api, "pkce")), "verifier") == v {
		t.Fatal("verifier repeated")
	}
}

func TestClientRoundTripReplayAndForgedCheckedID(t *testing.T) {
	api := testAPI(t)
	made := ok(t, envelope(t, api, "newClient", put(t, "clientId=c&redirectUri=http%3A%2F%2F127.0.0.1%3A8080%2Fcb")))
	idV, _ := browser.Get(made, "id")
	id, _ := idV.Int()
	a := ok(t, envelope(t, api, "clientAuthorize", 0, id))
	redirect := "http://127.0.0.1:8080/cb?code=abc&state=" + field(t, a, "state")
	r := ok(t, envelope(t, api, "clientHandleRedirect", put(t, redirect), id, false))
	if field(t, r, "code") != "abc" || field(t, r, "codeVerifier") == "" {
		t.Fatal("handleRedirect")
	}
	if v, err := browser.Get(r, "checked"); err != nil || browser.TypeOf(v) != safejs.TypeNumber {
		t.Fatal("handleRedirect's result has no checked id")
	}
	if code := errCode(t, envelope(t, api, "clientHandleRedirect", redirect, id, false)); code != "state_mismatch" {
		t.Fatalf("replay: %q", code)
	}
	// An id that handleRedirect never issued is refused before any request.
	done, _ := safejs.FuncOf(func(safejs.Value, []safejs.Value) any { t.Error("done called"); return nil })
	defer done.Release()
	if code := errCode(t, envelope(t, api, "clientExchangeCode", 0, id, 999999, done)); code != "invalid_argument" {
		t.Fatalf("forged checked id: %q", code)
	}
	envelope(t, api, "clientRelease", 0, id)
	if code := errCode(t, envelope(t, api, "clientAuthorize", 0, id)); code != "invalid_argument" {
		t.Fatalf("released client: %q", code)
	}
}

func TestThrowingGetterIsAnError(t *testing.T) {
	api := testAPI(t)
	// A Proxy whose get trap throws (JSON.parse of "[object Object]").
	jsonParse, _ := jsJSON.Get("parse")
	handler, _ := safejs.ValueOf(map[string]any{})
	_ = handler.Set("get", jsonParse)
	target, _ := safejs.ValueOf(map[string]any{})
	proxy, err := browser.MustGlobal("Proxy").New(target, handler)
	if err != nil {
		t.Fatal(err)
	}
	if code := errCode(t, envelope(t, api, "newClient", "clientId=c&redirectUri=https%3A%2F%2Fa%2F", proxy)); code != "invalid_argument" {
		t.Fatalf("throwing storage: code %q", code)
	}
	ok(t, envelope(t, api, "migrateURL", "https://api.getgo.com/oauth/v2/token"))
}

// normalizeTokenResponse takes JSON text: the body as bytes, never a JS
// object walked property by property.
func TestNormalizeTokenResponseTakesJSONText(t *testing.T) {
	api := testAPI(t)
	tok := ok(t, envelope(t, api, "normalizeTokenResponse", put(t, `{"access_token":"a","token_type":"bearer","expires_in":3600}`)))
	if field(t, tok, "accessToken") != "a" || field(t, tok, "tokenType") != "Bearer" {
		t.Fatal("normalizeTokenResponse")
	}
	for _, bad := range []string{"", "[]", "null", `{"access_token":"a"`, `{"access_token":"a","access_token":"b","token_type":"Bearer"}`, `{"token_type":"Bearer"}`} {
		if code := errCode(t, envelope(t, api, "normalizeTokenResponse", put(t, bad))); code != "invalid_argument" {
			t.Errorf("normalizeTokenResponse(%q): %q", bad, code)
		}
	}
}

func TestPayloadOutsideTheBufferIsAnError(t *testing.T) {
	api := testAPI(t)
	for _, n := range []any{-1, limits.MinBuffer + 1, 1e9, 2.5} {
		if code := errCode(t, envelope(t, api, "parseRedirect", n)); code != "invalid_argument" {
			t.Errorf("payload length %v: %q", n, code)
		}
	}
	// A result larger than the buffer comes back as a string.
	long := "https://app.example/cb?code=" + strings.Repeat("c", limits.MinBuffer+1000) + "&state=s"
	v, err := api.Call("parseRedirect", long)
	if err != nil || browser.TypeOf(v) != safejs.TypeString {
		t.Fatalf("a large result did not come back as text")
	}
}
