//go:build js && wasm

package main

import (
	"errors"
	"syscall/js"

	"github.com/hack-pad/safejs"
)

// Calling JavaScript from Go through safejs: a call that throws and a
// promise that rejects both come back as an error, a *jsError. Calls that
// return promises block until they settle: make them on a goroutine, never
// in a JS callback.

// jsError is a thrown or rejected value as the page shows it: a
// GoToAuthError's code, message and RFC 6749 error, or any other value's
// text under the code "internal".
type jsError struct{ Code, Message, OAuth string }

func (e *jsError) Error() string { return e.Code + ": " + e.Message }

// is reports whether err is a GoToAuthError with the code.
func is(err error, code string) bool {
	var e *jsError
	return errors.As(err, &e) && e.Code == code
}

func readError(v safejs.Value) *jsError {
	e := &jsError{Code: str(v, "code"), Message: str(v, "message"), OAuth: str(v, "error")}
	if e.Code == "" {
		e.Code = "internal"
		if e.Message == "" {
			e.Message, _ = v.String()
		}
	}
	return e
}

// call calls obj.method(args...) and, when that returns a promise, waits
// for it to settle.
func call(obj safejs.Value, method string, args ...any) (safejs.Value, error) {
	v, err := obj.Call(method, args...)
	if err != nil {
		var thrown js.Error
		if errors.As(err, &thrown) {
			return v, readError(safejs.Safe(thrown.Value))
		}
		return v, &jsError{Code: "internal", Message: err.Error()}
	}
	if get(v, "then").Type() != safejs.TypeFunction {
		return v, nil
	}
	return await(v)
}

// moduleReady waits for gotoauth.ready(): the synchronous calls that need
// the library's module (parseRedirect, migrateURL, client.authorize...)
// throw not_ready while it loads, which it may still do on a signed-in
// page in relay mode (the README's API section says when).
func moduleReady() error {
	_, err := call(lib, "ready")
	return err
}

// await waits for a promise: what it resolves to, or why it rejected.
func await(p safejs.Value) (safejs.Value, error) {
	type settled struct {
		v   safejs.Value
		err error
	}
	done := make(chan settled, 1)
	onValue, _ := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		done <- settled{v: arg(args)}
		return nil
	})
	defer onValue.Release()
	onError, _ := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		done <- settled{err: readError(arg(args))}
		return nil
	})
	defer onError.Release()
	if _, err := p.Call("then", onValue, onError); err != nil {
		return safejs.Undefined(), &jsError{Code: "internal", Message: err.Error()}
	}
	s := <-done
	return s.v, s.err
}

// listen calls f with each event of the type that target fires, for the
// page's life.
func listen(target safejs.Value, typ string, f func(ev safejs.Value)) {
	fn, _ := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		f(arg(args))
		return nil
	})
	_, _ = target.Call("addEventListener", typ, fn)
}

// Reading JS values field by field, never trusting their shape.

func arg(args []safejs.Value) safejs.Value {
	if len(args) == 0 {
		return safejs.Undefined()
	}
	return args[0]
}

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

func str(v safejs.Value, name string) string {
	f := get(v, name)
	if f.Type() != safejs.TypeString {
		return ""
	}
	s, _ := f.String()
	return s
}

func num(v safejs.Value, name string) float64 {
	n, _ := get(v, name).Float()
	return n
}

func strs(v safejs.Value, name string) []string {
	list := get(v, name)
	if list.Type() != safejs.TypeObject {
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
