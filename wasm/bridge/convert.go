//go:build js && wasm

package bridge

import (
	"strconv"

	"github.com/hack-pad/safejs"

	"gotoauth/wasm/browser"
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

// options reads an optional options object.
func options(v safejs.Value, what string) (safejs.Value, bool, error) {
	if browser.IsNullish(v) {
		return v, false, nil
	}
	if browser.TypeOf(v) != safejs.TypeObject || browser.IsArray(v) {
		return v, false, invalid(what + " must be an object, not " + browser.TypeName(v))
	}
	return v, true, nil
}

// field reads obj[name]; a getter that throws is reported, not propagated.
func field(obj safejs.Value, name string) (safejs.Value, error) {
	v, err := browser.Get(obj, name)
	if err != nil {
		return v, invalid("reading " + name + " failed")
	}
	return v, nil
}

// optString reads an optional string field.
func optString(obj safejs.Value, name string, max int) (string, error) {
	v, err := field(obj, name)
	if err != nil || browser.IsNullish(v) {
		return "", err
	}
	return browser.String(v, name, max)
}

// scopeField reads scope as a string or an array of strings. present is
// false when the field is absent, so a client's default scope applies.
func scopeField(obj safejs.Value) (scope []string, present bool, err error) {
	v, err := field(obj, "scope")
	if err != nil || browser.IsNullish(v) {
		return nil, false, err
	}
	if browser.TypeOf(v) == safejs.TypeString {
		s, err := browser.String(v, "scope", oauth.MaxParamLength)
		return []string{s}, true, err
	}
	if !browser.IsArray(v) {
		return nil, false, invalid("scope must be a string or an array of strings, not " + browser.TypeName(v))
	}
	n, err := browser.Length(v)
	if err != nil || n > 256 {
		return nil, false, invalid("scope has more than 256 entries")
	}
	scope = make([]string, 0, n)
	for i := 0; i < n; i++ {
		item, err := browser.Get(v, i)
		if err != nil {
			return nil, false, invalid("scope could not be read")
		}
		s, err := browser.String(item, "scope["+strconv.Itoa(i)+"]", oauth.MaxParamLength)
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
	if err != nil || browser.IsNullish(v) {
		return nil, err
	}
	if browser.TypeOf(v) != safejs.TypeObject || browser.IsArray(v) {
		return nil, invalid("extraParams must be an object of strings, not " + browser.TypeName(v))
	}
	keys, err := browser.ObjectKeys(v)
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
		s, err := browser.String(item, "extraParams."+k, oauth.MaxParamLength)
		if err != nil {
			return nil, err
		}
		out = append(out, form.Param{Name: k, Value: s})
	}
	return out, nil
}
