//go:build js && wasm

package bridge

import (
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

// str reads args[i] as a string of at most max bytes. The loader has
// checked type and length in JS; this repeats the checks for direct callers.
func str(args []safejs.Value, i int, what string, max int) (string, error) {
	return browser.String(arg(args, i), what, max)
}

// maxOptions bounds a form-encoded options string.
const maxOptions = 64 << 10

// optionsArg reads form-encoded options: the loader turns an options object
// into name=value pairs, extra parameters as "extra.NAME".
func optionsArg(args []safejs.Value, i int) (form.Values, error) {
	s, err := str(args, i, "options", maxOptions)
	if err != nil {
		return nil, err
	}
	v, err := form.Parse(s)
	if err != nil {
		return nil, invalid("options are malformed: " + err.Error())
	}
	return v, nil
}

// extraPrefix marks extra authorize parameters in form-encoded options.
const extraPrefix = "extra."

// splitExtra separates extra.NAME parameters from the others.
func splitExtra(v form.Values) (opts, extra form.Values) {
	for _, p := range v {
		if len(p.Name) > len(extraPrefix) && p.Name[:len(extraPrefix)] == extraPrefix {
			extra = append(extra, form.Param{Name: p.Name[len(extraPrefix):], Value: p.Value})
		} else {
			opts = append(opts, p)
		}
	}
	return opts, extra
}

func get(v form.Values, name string) string { s, _ := v.Get(name); return s }

// scope reads the space-joined scope; present tells "" from absent.
func scope(v form.Values) (list []string, present bool) {
	s, ok := v.Get("scope")
	if !ok {
		return nil, false
	}
	return []string{s}, true
}
