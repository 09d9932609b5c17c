//go:build js && wasm

// Command gotoauth is the library's wasm module. web/gotoauth.js starts it
// with globalThis.__gotoauthBoot = {GoToAuthError, ready}; it answers by
// calling ready(api) and then waits for calls.
package main

import (
	"github.com/hack-pad/safejs"

	"gotoauth/wasm/bridge"
)

func main() {
	global := safejs.Global()
	boot, err := global.Get("__gotoauthBoot")
	if err != nil || boot.Type() != safejs.TypeObject || boot.IsNull() {
		return // not started by gotoauth.js: nothing to hand the API to
	}
	_ = global.Delete("__gotoauthBoot")
	errClass, _ := boot.Get("GoToAuthError")
	ready, _ := boot.Get("ready")
	api, err := bridge.Boot(errClass)
	if err != nil {
		fail, _ := boot.Get("fail")
		_, _ = fail.Invoke(err.Error())
		return
	}
	if _, err := ready.Invoke(api); err != nil {
		return
	}
	select {}
}
