//go:build js && wasm

package bridge

import (
	"github.com/hack-pad/safejs"

	"gotoauth/wasm/browser"

	"gotoauth/wasm/oauth"
)

var promiseClass = browser.MustGlobal("Promise")

// promise returns a JS Promise whose executor runs work at once, on the
// JS event loop's turn. work must not block: anything slow (fetch) calls
// back later. A panic in work rejects the promise instead of ending the
// program.
func promise(work func(resolve, reject func(any))) safejs.Value {
	var executor safejs.Func
	executor, _ = safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		executor.Release()
		resolveFn, rejectFn := args[0], args[1]
		settled := false
		resolve := func(v any) {
			if !settled {
				settled = true
				resolveFn.Invoke(v)
			}
		}
		reject := func(v any) {
			if !settled {
				settled = true
				rejectFn.Invoke(v)
			}
		}
		defer func() {
			if p := recover(); p != nil {
				reject(jsError(&oauth.Error{Code: oauth.Internal, Message: "gotoauth caught an internal error; the module keeps working: " + panicText(p)}))
			}
		}()
		work(resolve, reject)
		return nil
	})
	p, err := promiseClass.New(executor)
	if err != nil {
		executor.Release()
		rejected, _ := promiseClass.Call("reject", jsError(&oauth.Error{Code: oauth.Internal, Message: "cannot create a Promise"}))
		return rejected
	}
	return p
}
