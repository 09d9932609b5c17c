//go:build js && wasm

// Command floor is the benchmark's floor: a Go module that imports only
// syscall/js, exports one function that does nothing, and waits. Sizes,
// start-up and call rates of gotoauth are measured against it.
package main

import "syscall/js"

func main() {
	noop := js.FuncOf(func(js.Value, []js.Value) any { return nil })
	boot := js.Global().Get("__gotoauthBoot")
	if boot.Type() != js.TypeObject {
		return
	}
	js.Global().Delete("__gotoauthBoot")
	api := js.Global().Get("Object").New()
	api.Set("version", "floor")
	api.Set("noop", noop)
	boot.Get("ready").Invoke(api)
	select {}
}
