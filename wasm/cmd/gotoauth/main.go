//go:build js && wasm

// Command gotoauth is the library's wasm module. web/gotoauth-load.js starts
// it with __gotoauthBoot = {ready, fail} on the Go runtime's own global
// object (js.Global(), never the page's globalThis: see goGlobal in web/gotoauth-runtime.js); it
// deletes that, answers by calling ready(rawAPI), and then waits for calls.
package main

import (
	"github.com/hack-pad/safejs"

	"gotoauth/wasm/bridge"
)

func main() {
	global := safejs.Global()
	boot, err := global.Get("__gotoauthBoot")
	if err != nil || boot.Type() != safejs.TypeObject || boot.IsNull() {
		return // not started by gotoauth's loader: nothing to hand the API to
	}
	_ = global.Delete("__gotoauthBoot")
	api, err := bridge.Boot()
	if err != nil {
		fail, _ := boot.Get("fail")
		_, _ = fail.Invoke(err.Error())
		return
	}
	ready, _ := boot.Get("ready")
	if _, err := ready.Invoke(api); err != nil {
		return
	}
	select {}
}
