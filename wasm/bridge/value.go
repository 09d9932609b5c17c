//go:build js && wasm

package bridge

import "github.com/hack-pad/safejs"

// toJS is safejs.ValueOf for values that contain safejs values and
// functions, which safejs.ValueOf passes to js.ValueOf unconverted.
func toJS(v any) (safejs.Value, error) {
	return safejs.ValueOf(unwrapSafe(v))
}

func unwrapSafe(v any) any {
	switch x := v.(type) {
	case safejs.Value:
		return safejs.Unsafe(x)
	case safejs.Func:
		return safejs.Unsafe(x.Value())
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			out[k] = unwrapSafe(item)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = unwrapSafe(item)
		}
		return out
	}
	return v
}
