//go:build js && wasm

package bridge

import (
	"github.com/hack-pad/safejs"

	"gotoauth/wasm/browser"
	"gotoauth/wasm/form"
	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/options"
	"gotoauth/wasm/wire"
)

// arg returns args[i], or undefined.
func arg(args []safejs.Value, i int) safejs.Value {
	if i < len(args) {
		return args[i]
	}
	return safejs.Undefined()
}

// The buffer shared with the loader, in JS and its Go mirror.
var (
	shared   safejs.Value
	sharedGo []byte
)

// setBuffer(Uint8Array) makes the array the shared buffer.
func setBuffer(w *wire.Writer, _ string, args []safejs.Value) error {
	v := arg(args, 1)
	ok, err := v.InstanceOf(uint8Array)
	if err != nil || !ok {
		return oauth.Invalid("setBuffer takes a Uint8Array")
	}
	n, err := browser.Get(v, "length")
	if err != nil {
		return oauth.Invalid("setBuffer takes a Uint8Array")
	}
	size, _ := n.Int()
	// The buffer grows with the payloads the loader puts in it, up to
	// limits.MaxBuffer; the loader refuses a payload that does not fit whole.
	if size < limits.MinBuffer || size > limits.MaxBuffer {
		return oauth.Invalid("the shared buffer's size is outside limits.MinBuffer to limits.MaxBuffer")
	}
	shared, sharedGo = v, make([]byte, size)
	w.Null()
	return nil
}

var uint8Array = browser.MustGlobal("Uint8Array")

// readPayload reads the payload: a byte count in the shared buffer, a
// string, or nothing.
func readPayload(v safejs.Value) (string, error) {
	switch browser.TypeOf(v) {
	case safejs.TypeNumber:
		f, err := v.Float()
		n := int(f)
		if err != nil || float64(n) != f || n < 0 || n > len(sharedGo) {
			return "", oauth.Invalid("the payload is not in the shared buffer")
		}
		if n == 0 {
			return "", nil
		}
		got, err := safejs.CopyBytesToGo(sharedGo[:n], shared)
		if err != nil || got != n {
			return "", oauth.Invalid("the payload is not in the shared buffer")
		}
		return string(sharedGo[:n]), nil
	case safejs.TypeString:
		return browser.String(v, "the payload", limits.MaxBuffer)
	case safejs.TypeUndefined, safejs.TypeNull:
		return "", nil
	}
	return "", oauth.Invalid("the payload must be a string, not " + browser.TypeName(v))
}

// reply hands a JSON result back: its length when it fits the shared
// buffer, else the text itself.
func reply(b []byte) any {
	if len(b) <= len(sharedGo) {
		if n, err := safejs.CopyBytesToJS(shared, b); err == nil && n == len(b) {
			return len(b)
		}
	}
	return string(b)
}

// optionsArg reads form-encoded options: the loader turns an options object
// into name=value pairs, extra parameters as "extra.NAME".
func optionsArg(payload string) (form.Values, error) {
	v, err := form.Parse(payload)
	if err != nil {
		return nil, oauth.Invalid("options are malformed: " + err.Error())
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
	s, ok := v.Get(options.Scope)
	if !ok {
		return nil, false
	}
	return []string{s}, true
}
