//go:build js && wasm

// Command safejsfloor is the benchmark's second floor: the same module as
// wasm/cmd/floor (one no-op export and a wait), but with every JS call
// made through github.com/hack-pad/safejs, as the library's bridge and
// main do. safejs formats its errors with fmt, which links reflect, os,
// time and internal/godebug, so no safejs-based module can be smaller or
// start faster than this one; gotoauth's size and start-up targets are
// measured against it.
package main

import "github.com/hack-pad/safejs"

// noop is kept alive for the program's life, as bridge keeps its exports.
var noop safejs.Func

func main() {
	global := safejs.Global()
	boot, err := global.Get("__gotoauthBoot")
	if err != nil || boot.Type() != safejs.TypeObject || boot.IsNull() {
		return // not started by the benchmark: nothing to hand the API to
	}
	_ = global.Delete("__gotoauthBoot")
	noop, err = safejs.FuncOf(func(safejs.Value, []safejs.Value) any { return nil })
	if err != nil {
		return
	}
	object, err := global.Get("Object")
	if err != nil {
		return
	}
	api, err := object.New()
	if err != nil {
		return
	}
	if api.Set("version", "safejsfloor") != nil || api.Set("noop", noop) != nil {
		return
	}
	ready, err := boot.Get("ready")
	if err != nil {
		return
	}
	if _, err := ready.Invoke(api); err != nil {
		return
	}
	select {}
}
