//go:build js && wasm

package main

import (
	"errors"

	"github.com/hack-pad/safejs"
)

// The demo's one way into the library: the package's public JS API (the
// object load() resolves to and leaves at globalThis.gotoauth), called
// through safejs as any app would call it from JS. Each call goes through
// call, which runs it as a promise, so that a synchronous throw (client(),
// authorize()) and a rejection arrive the same way: as an *apiError read
// from the GoToAuthError. Calls block, so they run on goroutines, never on
// the event loop (see post).

// apiError is a GoToAuthError as the demo shows it.
type apiError struct {
	Code    string // the stable code (GoToAuthErrorCode)
	Message string
	OAuth   string // the RFC 6749 error, for oauth_error and reauthenticate
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// is reports whether err is a GoToAuthError with the code.
func is(err error, code string) bool {
	var e *apiError
	return errors.As(err, &e) && e.Code == code
}

// internalError stands for a failure of the call itself (safejs refused
// it), not one the library reported.
func internalError(err error) *apiError {
	return &apiError{Code: "internal", Message: "the demo could not call gotoauth: " + err.Error()}
}

// readError reads a rejection: a GoToAuthError's fields, or any other
// thrown value as text.
func readError(v safejs.Value) *apiError {
	e := &apiError{Code: str(v, "code"), Message: str(v, "message"), OAuth: str(v, "error")}
	if e.Code == "" {
		e.Code = "internal"
		if e.Message == "" {
			s, _ := v.String()
			e.Message = s
		}
	}
	return e
}

var (
	global      = safejs.Global()
	promiseCtor = get(global, "Promise")
)

// await waits for a promise (or any value) to settle.
func await(p safejs.Value) (safejs.Value, error) {
	type settled struct {
		v  safejs.Value
		ok bool
	}
	done := make(chan settled, 1)
	handler := func(ok bool) (safejs.Func, error) {
		return safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
			done <- settled{arg(args, 0), ok}
			return nil
		})
	}
	onOK, err := handler(true)
	if err != nil {
		return safejs.Undefined(), internalError(err)
	}
	defer onOK.Release()
	onFail, err := handler(false)
	if err != nil {
		return safejs.Undefined(), internalError(err)
	}
	defer onFail.Release()
	wrapped, err := promiseCtor.Call("resolve", p)
	if err == nil {
		_, err = wrapped.Call("then", onOK, onFail)
	}
	if err != nil {
		return safejs.Undefined(), internalError(err)
	}
	s := <-done
	if !s.ok {
		return safejs.Undefined(), readError(s.v)
	}
	return s.v, nil
}

// call runs obj.method(args...) as a promise and waits for it: what it
// returns or resolves to, or what it throws or rejects with.
func call(obj safejs.Value, method string, args ...any) (safejs.Value, error) {
	fn, err := obj.Get(method)
	if err != nil {
		return safejs.Undefined(), internalError(err)
	}
	bound, err := fn.Call("bind", append([]any{obj}, args...)...)
	if err != nil {
		return safejs.Undefined(), internalError(err)
	}
	start, err := promiseCtor.Call("resolve")
	if err != nil {
		return safejs.Undefined(), internalError(err)
	}
	p, err := start.Call("then", bound)
	if err != nil {
		return safejs.Undefined(), internalError(err)
	}
	return await(p)
}

// library is the loaded package: globalThis.gotoauth, which web/demo.js
// has load()ed before it started this program.
func library() (safejs.Value, error) {
	g := get(global, "gotoauth")
	if g.Type() != safejs.TypeObject {
		return g, &apiError{Code: "internal", Message: "gotoauth is not loaded"}
	}
	return g, nil
}

// token is a token as the library hands it out: a SessionToken, or the
// Token that exchangeCode and refresh resolve to (which outside relay
// mode carries the refresh token).
type token struct {
	Access    string
	ExpiresAt int64 // milliseconds since the epoch; 0: the server stated no expiry
	Scope     []string
	Principal string
	Legacy    string
	Refresh   string
}

func readToken(v safejs.Value) *token {
	t := &token{
		Access: str(v, "accessToken"), Scope: strs(v, "scope"), Principal: str(v, "principal"),
		Legacy: str(v, "legacy"), Refresh: str(v, "refreshToken"),
	}
	if at, ok := num(v, "expiresAt"); ok {
		t.ExpiresAt = int64(at)
	}
	if t.Access == "" {
		return nil
	}
	return t
}

// profile is what client.me resolves to.
type profile struct {
	ID, UserName, DisplayName, GivenName, FamilyName, Locale, Timezone string
	Accounts                                                           []account
	// Legacy holds the old token response's user fields, by name.
	Legacy map[string]string
}

type account struct {
	Key, Name    string
	Entitlements []string
}

// legacyFields are Profile.legacy's names (gotoauth.d.ts).
var legacyFields = []string{"organizer_key", "account_key", "email", "firstName", "lastName"}

func readProfile(v safejs.Value) *profile {
	p := &profile{
		ID: str(v, "id"), UserName: str(v, "userName"), DisplayName: str(v, "displayName"),
		GivenName: str(v, "givenName"), FamilyName: str(v, "familyName"),
		Locale: str(v, "locale"), Timezone: str(v, "timezone"), Legacy: map[string]string{},
	}
	accounts := get(v, "accounts")
	n, _ := accounts.Length()
	for i := 0; i < n; i++ {
		a, _ := accounts.Index(i)
		p.Accounts = append(p.Accounts, account{Key: str(a, "key"), Name: str(a, "name"), Entitlements: strs(a, "entitlements")})
	}
	legacy := get(v, "legacy")
	for _, name := range legacyFields {
		p.Legacy[name] = str(legacy, name)
	}
	return p
}

// Reading JS values field by field, never trusting their shape.

func get(v safejs.Value, name string) safejs.Value {
	if t := v.Type(); t != safejs.TypeObject && t != safejs.TypeFunction {
		return safejs.Undefined()
	}
	r, err := v.Get(name)
	if err != nil {
		return safejs.Undefined()
	}
	return r
}

func arg(args []safejs.Value, i int) safejs.Value {
	if i < len(args) {
		return args[i]
	}
	return safejs.Undefined()
}

func str(v safejs.Value, name string) string {
	f := get(v, name)
	if f.Type() != safejs.TypeString {
		return ""
	}
	s, _ := f.String()
	return s
}

// isTrue: v is the boolean true.
func isTrue(v safejs.Value) bool {
	if v.Type() != safejs.TypeBoolean {
		return false
	}
	b, _ := v.Bool()
	return b
}

func num(v safejs.Value, name string) (float64, bool) {
	f := get(v, name)
	if f.Type() != safejs.TypeNumber {
		return 0, false
	}
	n, err := f.Float()
	return n, err == nil
}

func strs(v safejs.Value, name string) []string {
	list := get(v, name)
	if ok, _ := list.InstanceOf(get(global, "Array")); !ok {
		return nil
	}
	n, _ := list.Length()
	var out []string
	for i := 0; i < n; i++ {
		if e, err := list.Index(i); err == nil && e.Type() == safejs.TypeString {
			s, _ := e.String()
			out = append(out, s)
		}
	}
	return out
}
