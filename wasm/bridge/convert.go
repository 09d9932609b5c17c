//go:build js && wasm

package bridge

import (
	"github.com/hack-pad/safejs"

	"gotoauth/wasm/form"
	"gotoauth/wasm/oauth"
)

func invalid(msg string) error { return &oauth.Error{Code: oauth.InvalidArgument, Message: msg} }

// arg returns args[i], or undefined.
func arg(args []safejs.Value, i int) safejs.Value {
	if i < len(args) {
		return args[i]
	}
	return safejs.Undefined()
}

// typeOf is v.Type() for any value: syscall/js panics on a BigInt, whose
// type it does not know; such values are reported as typeOther.
func typeOf(v safejs.Value) (t safejs.Type) {
	defer func() {
		if recover() != nil {
			t = typeOther
		}
	}()
	return v.Type()
}

const typeOther = safejs.Type(-1)

func isNullish(v safejs.Value) bool { return v.IsUndefined() || v.IsNull() }

// stringArg reads a JS string of at most max bytes. The length is checked
// before the string is copied into Go, so a 5 MB string costs nothing.
func stringArg(v safejs.Value, what string, max int) (string, error) {
	if typeOf(v) != safejs.TypeString {
		return "", invalid(what + " must be a string, not " + typeName(v))
	}
	n, err := stringLength(v)
	if err != nil {
		return "", invalid(what + " must be a string")
	}
	// length counts UTF-16 units; UTF-8 is at most three bytes each.
	if n > max {
		return "", invalid(what + " is too long (" + itoa(max>>10) + " KiB at most)")
	}
	s, err := v.String()
	if err != nil {
		return "", invalid(what + " must be a string")
	}
	if len(s) > max {
		return "", invalid(what + " is too long (" + itoa(max>>10) + " KiB at most)")
	}
	return s, nil
}

// stringLength is a JS string's length in UTF-16 units, read without
// copying it: a primitive string has no properties to Get, its String
// wrapper does.
func stringLength(v safejs.Value) (int, error) {
	wrapper, err := jsObject.Invoke(v)
	if err != nil {
		return 0, err
	}
	return wrapper.Length()
}

// options reads an optional options object.
func options(v safejs.Value, what string) (safejs.Value, bool, error) {
	if isNullish(v) {
		return v, false, nil
	}
	if typeOf(v) != safejs.TypeObject || isArray(v) {
		return v, false, invalid(what + " must be an object, not " + typeName(v))
	}
	return v, true, nil
}

// get is obj[key] through Reflect.get. syscall/js's Get and Index do not
// catch a JS exception, so a throwing getter or Proxy trap would unwind
// through the Go stack; a Call does catch it and safejs returns an error.
func get(obj safejs.Value, key any) (safejs.Value, error) {
	return jsReflect.Call("get", obj, key)
}

// length reads an array's length through get.
func length(obj safejs.Value) (int, error) {
	n, err := get(obj, "length")
	if err != nil || typeOf(n) != safejs.TypeNumber {
		return 0, invalid("the array's length could not be read")
	}
	return n.Int()
}

// field reads obj[name]; a getter that throws is reported, not propagated.
func field(obj safejs.Value, name string) (safejs.Value, error) {
	v, err := get(obj, name)
	if err != nil {
		return v, invalid("reading " + name + " failed")
	}
	return v, nil
}

// optString reads an optional string field.
func optString(obj safejs.Value, name string, max int) (string, error) {
	v, err := field(obj, name)
	if err != nil || isNullish(v) {
		return "", err
	}
	return stringArg(v, name, max)
}

// scopeField reads scope as a string or an array of strings. present is
// false when the field is absent, so a client's default scope applies.
func scopeField(obj safejs.Value) (scope []string, present bool, err error) {
	v, err := field(obj, "scope")
	if err != nil || isNullish(v) {
		return nil, false, err
	}
	if typeOf(v) == safejs.TypeString {
		s, err := stringArg(v, "scope", oauth.MaxParamLength)
		return []string{s}, true, err
	}
	if !isArray(v) {
		return nil, false, invalid("scope must be a string or an array of strings, not " + typeName(v))
	}
	n, err := length(v)
	if err != nil || n > 256 {
		return nil, false, invalid("scope has more than 256 entries")
	}
	scope = make([]string, 0, n)
	for i := 0; i < n; i++ {
		item, err := get(v, i)
		if err != nil {
			return nil, false, invalid("scope could not be read")
		}
		s, err := stringArg(item, "scope["+itoa(i)+"]", oauth.MaxParamLength)
		if err != nil {
			return nil, false, err
		}
		scope = append(scope, s)
	}
	return scope, true, nil
}

// extraParams reads a plain object of string values, in key order.
func extraParams(obj safejs.Value) (form.Values, error) {
	v, err := field(obj, "extraParams")
	if err != nil || isNullish(v) {
		return nil, err
	}
	if typeOf(v) != safejs.TypeObject || isArray(v) {
		return nil, invalid("extraParams must be an object of strings, not " + typeName(v))
	}
	keys, err := objectKeys(v)
	if err != nil {
		return nil, err
	}
	if len(keys) > 64 {
		return nil, invalid("extraParams has more than 64 entries")
	}
	out := make(form.Values, 0, len(keys))
	for _, k := range keys {
		item, err := field(v, k)
		if err != nil {
			return nil, err
		}
		s, err := stringArg(item, "extraParams."+k, oauth.MaxParamLength)
		if err != nil {
			return nil, err
		}
		out = append(out, form.Param{Name: k, Value: s})
	}
	return out, nil
}

var (
	jsObject  = mustGlobal("Object")
	jsArray   = mustGlobal("Array")
	jsJSON    = mustGlobal("JSON")
	jsReflect = mustGlobal("Reflect")
)

func mustGlobal(name string) safejs.Value {
	v, err := safejs.Global().Get(name)
	if err != nil {
		panic("gotoauth: no global " + name)
	}
	return v
}

func isArray(v safejs.Value) bool {
	r, err := jsArray.Call("isArray", v)
	if err != nil {
		return false
	}
	b, _ := r.Bool()
	return b
}

func objectKeys(v safejs.Value) ([]string, error) {
	keys, err := jsObject.Call("keys", v)
	if err != nil {
		return nil, invalid("the object's keys could not be read")
	}
	n, err := length(keys)
	if err != nil || n > 10000 {
		return nil, invalid("the object has too many keys")
	}
	out := make([]string, n)
	for i := range out {
		k, err := get(keys, i)
		if err != nil {
			return nil, invalid("the object's keys could not be read")
		}
		if out[i], err = stringArg(k, "key", oauth.MaxParamLength); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// maxDepth and maxNodes bound toGo on hostile input.
const (
	maxDepth = 8
	maxNodes = 5000
)

// toGo converts a JSON-like JS value into the types encoding/json would
// produce: string, float64, bool, nil, map[string]any, []any. Anything else
// (functions, symbols, bigints) becomes nil, and strings over maxString are
// refused, so hostile objects cannot exhaust memory.
func toGo(v safejs.Value) (any, error) {
	nodes := 0
	return toGoDepth(v, 0, &nodes)
}

const maxString = 1 << 20

func toGoDepth(v safejs.Value, depth int, nodes *int) (any, error) {
	*nodes++
	if depth > maxDepth || *nodes > maxNodes {
		return nil, invalid("the object is nested too deeply or is too large")
	}
	switch typeOf(v) {
	case safejs.TypeString:
		return stringArg(v, "a string value", maxString)
	case safejs.TypeNumber:
		return v.Float()
	case safejs.TypeBoolean:
		return v.Bool()
	case safejs.TypeObject:
		if v.IsNull() {
			return nil, nil
		}
		if isArray(v) {
			n, err := length(v)
			if err != nil || n > maxNodes {
				return nil, invalid("the array is too large")
			}
			out := make([]any, n)
			for i := range out {
				item, err := get(v, i)
				if err != nil {
					return nil, invalid("an array item could not be read")
				}
				if out[i], err = toGoDepth(item, depth+1, nodes); err != nil {
					return nil, err
				}
			}
			return out, nil
		}
		keys, err := objectKeys(v)
		if err != nil {
			return nil, err
		}
		out := make(map[string]any, len(keys))
		for _, k := range keys {
			item, err := field(v, k)
			if err != nil {
				return nil, err
			}
			if out[k], err = toGoDepth(item, depth+1, nodes); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, nil
}

func typeName(v safejs.Value) string {
	switch {
	case v.IsNull():
		return "null"
	case isArray(v):
		return "an array"
	}
	if t := typeOf(v); t != typeOther {
		return t.String()
	}
	return "a bigint"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
