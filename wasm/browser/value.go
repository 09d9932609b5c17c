//go:build js && wasm

// Package browser holds what gotoauth needs from a JS host, read safely:
// values (Reflect.get instead of Get, a type check that survives BigInt),
// fetch as a client.Transport, Web Storage, and the address bar. Nothing
// here holds a Go lock while it calls JS.
package browser

import (
	"github.com/hack-pad/safejs"

	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
)

// TypeOf is v.Type() for any value: syscall/js panics on a BigInt, whose
// type it does not know; such values are reported as TypeOther.
func TypeOf(v safejs.Value) (t safejs.Type) {
	defer func() {
		if recover() != nil {
			t = TypeOther
		}
	}()
	return v.Type()
}

// TypeOther is TypeOf's answer for a type syscall/js does not know.
const TypeOther = safejs.Type(-1)

// IsNullish reports undefined or null.
func IsNullish(v safejs.Value) bool { return v.IsUndefined() || v.IsNull() }

// String reads a JS string of at most max bytes. The loader checks the
// length in JS before calling; here it is checked after the copy.
func String(v safejs.Value, what string, max int) (string, error) {
	if TypeOf(v) != safejs.TypeString {
		return "", oauth.Invalid(what + " must be a string, not " + TypeName(v))
	}
	s, err := v.String()
	if err != nil {
		return "", oauth.Invalid(what + " must be a string")
	}
	if len(s) > max {
		return "", oauth.Invalid(limits.TooLong(what, max))
	}
	return s, nil
}

// Get is obj[key] through Reflect.get. syscall/js's Get and Index do not
// catch a JS exception, so a throwing getter or Proxy trap would unwind
// through the Go stack; a Call does catch it and safejs returns an error.
func Get(obj safejs.Value, key any) (safejs.Value, error) {
	return jsReflect.Call("get", obj, key)
}

// Length reads an array's length through Get.
func Length(obj safejs.Value) (int, error) {
	n, err := Get(obj, "length")
	if err != nil || TypeOf(n) != safejs.TypeNumber {
		return 0, oauth.Invalid("the array's length could not be read")
	}
	return n.Int()
}

// Globals every JS host gotoauth supports has, read once at start-up.
var (
	jsArray           = MustGlobal("Array")
	jsReflect         = MustGlobal("Reflect")
	jsPromise         = MustGlobal("Promise")
	jsUint8Array      = MustGlobal("Uint8Array")
	jsAbortController = MustGlobal("AbortController")
)

// MustGlobal reads a global the module cannot work without.
func MustGlobal(name string) safejs.Value {
	v, err := safejs.Global().Get(name)
	if err != nil {
		panic("gotoauth: no global " + name)
	}
	return v
}

// isArray is Array.isArray.
func isArray(v safejs.Value) bool {
	r, err := jsArray.Call("isArray", v)
	if err != nil {
		return false
	}
	b, _ := r.Bool()
	return b
}

// TypeName names v's type for error messages.
func TypeName(v safejs.Value) string {
	switch {
	case v.IsNull():
		return "null"
	case isArray(v):
		return "an array"
	}
	if t := TypeOf(v); t != TypeOther {
		return t.String()
	}
	return "a bigint"
}
