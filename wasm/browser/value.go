//go:build js && wasm

// Package browser holds what gotoauth needs from a JS host, read safely:
// values (Reflect.get instead of Get, a type check that survives BigInt),
// fetch as a client.Transport, Web Storage, and the address bar.
package browser

import (
	"strconv"

	"github.com/hack-pad/safejs"

	"gotoauth/wasm/oauth"
)

func invalid(msg string) error { return &oauth.Error{Code: oauth.InvalidArgument, Message: msg} }

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
		return "", invalid(what + " must be a string, not " + TypeName(v))
	}
	s, err := v.String()
	if err != nil {
		return "", invalid(what + " must be a string")
	}
	if len(s) > max {
		return "", invalid(what + " is too long (" + strconv.Itoa(max>>10) + " KiB at most)")
	}
	return s, nil
}

// StringLength is a JS string's length in UTF-16 units, read without
// copying it: a primitive string has no properties to Get, its String
// wrapper does.
func StringLength(v safejs.Value) (int, error) {
	wrapper, err := jsObject.Invoke(v)
	if err != nil {
		return 0, err
	}
	return wrapper.Length()
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
		return 0, invalid("the array's length could not be read")
	}
	return n.Int()
}

// Globals every JS host has.
var (
	jsObject  = MustGlobal("Object")
	jsArray   = MustGlobal("Array")
	JSON      = MustGlobal("JSON")
	jsReflect = MustGlobal("Reflect")
)

// MustGlobal reads a global the module cannot work without.
func MustGlobal(name string) safejs.Value {
	v, err := safejs.Global().Get(name)
	if err != nil {
		panic("gotoauth: no global " + name)
	}
	return v
}

// IsArray is Array.isArray.
func IsArray(v safejs.Value) bool {
	r, err := jsArray.Call("isArray", v)
	if err != nil {
		return false
	}
	b, _ := r.Bool()
	return b
}

// ObjectKeys is Object.keys, bounded.
func ObjectKeys(v safejs.Value) ([]string, error) {
	keys, err := jsObject.Call("keys", v)
	if err != nil {
		return nil, invalid("the object's keys could not be read")
	}
	n, err := Length(keys)
	if err != nil || n > 10000 {
		return nil, invalid("the object has too many keys")
	}
	out := make([]string, n)
	for i := range out {
		k, err := Get(keys, i)
		if err != nil {
			return nil, invalid("the object's keys could not be read")
		}
		if out[i], err = String(k, "key", oauth.MaxParamLength); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// maxDepth and maxNodes bound ToGo on hostile input.
const (
	maxDepth = 8
	maxNodes = 5000
)

// ToGo converts a JSON-like JS value into the types encoding/json would
// produce: string, float64, bool, nil, map[string]any, []any. Anything else
// (functions, symbols, bigints) becomes nil, and strings over maxString are
// refused, so hostile objects cannot exhaust memory.
func ToGo(v safejs.Value) (any, error) {
	nodes := 0
	return toGoDepth(v, 0, &nodes)
}

const maxString = 1 << 20

func toGoDepth(v safejs.Value, depth int, nodes *int) (any, error) {
	*nodes++
	if depth > maxDepth || *nodes > maxNodes {
		return nil, invalid("the object is nested too deeply or is too large")
	}
	switch TypeOf(v) {
	case safejs.TypeString:
		return String(v, "a string value", maxString)
	case safejs.TypeNumber:
		return v.Float()
	case safejs.TypeBoolean:
		return v.Bool()
	case safejs.TypeObject:
		if v.IsNull() {
			return nil, nil
		}
		if IsArray(v) {
			n, err := Length(v)
			if err != nil || n > maxNodes {
				return nil, invalid("the array is too large")
			}
			out := make([]any, n)
			for i := range out {
				item, err := Get(v, i)
				if err != nil {
					return nil, invalid("an array item could not be read")
				}
				if out[i], err = toGoDepth(item, depth+1, nodes); err != nil {
					return nil, err
				}
			}
			return out, nil
		}
		keys, err := ObjectKeys(v)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(keys))
		for _, k := range keys {
			item, err := Get(v, k)
			if err != nil {
				return nil, invalid("reading " + k + " failed")
			}
			if out[k], err = toGoDepth(item, depth+1, nodes); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, nil
}

// TypeName names v's type for error messages.
func TypeName(v safejs.Value) string {
	switch {
	case v.IsNull():
		return "null"
	case IsArray(v):
		return "an array"
	}
	if t := TypeOf(v); t != TypeOther {
		return t.String()
	}
	return "a bigint"
}
