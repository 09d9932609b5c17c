//go:build js && wasm

// Package bridge turns gotoauth's Go packages into the JS API that
// web/gotoauth.js hands to users. Every exported function goes through
// export, which recovers panics: a Go panic would end the wasm program and
// every later call would fail with "Go program has already exited".
package bridge

import (
	"github.com/hack-pad/safejs"

	"gotoauth/wasm/oauth"
)

// Version is the module's version, reported as `version`.
const Version = "0.1.0"

// handler is one exported function. It returns a value js.ValueOf accepts
// or an error; errors become GoToAuthError instances.
type handler func(args []safejs.Value) (any, error)

// errorClass is web/gotoauth.js's GoToAuthError, given to Boot.
var errorClass safejs.Value

// funcs keeps every exported function alive for the program's life.
var funcs []safejs.Func

// export wraps h: panics and errors come back as a GoToAuthError value,
// which the loader throws. Nothing a caller passes can end the program.
func export(h handler) safejs.Func {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) (result any) {
		defer func() {
			if p := recover(); p != nil {
				result = jsError(&oauth.Error{Code: oauth.Internal, Message: "gotoauth caught an internal error; the module keeps working: " + panicText(p)})
			}
		}()
		v, err := h(args)
		if err != nil {
			return jsError(err)
		}
		return v
	})
	if err != nil {
		panic("gotoauth: cannot export a function: " + err.Error())
	}
	funcs = append(funcs, f)
	return f
}

func panicText(p any) string {
	switch v := p.(type) {
	case error:
		return v.Error()
	case string:
		return v
	}
	return "panic"
}

// jsError builds a GoToAuthError(code, message, details).
func jsError(err error) safejs.Value {
	e, ok := err.(*oauth.Error)
	if !ok {
		e = &oauth.Error{Code: oauth.Internal, Message: err.Error()}
	}
	details := map[string]any{}
	if e.OAuth != "" {
		details["error"] = e.OAuth
	}
	if e.Description != "" {
		details["errorDescription"] = e.Description
	}
	if e.URI != "" {
		details["errorURI"] = e.URI
	}
	if e.Status != 0 {
		details["status"] = e.Status
	}
	v, nerr := errorClass.New(string(e.Code), e.Message, details)
	if nerr != nil {
		// The class is missing or threw: fall back to a plain object the
		// loader still recognises by its code.
		v, _ = safejs.ValueOf(map[string]any{"code": string(e.Code), "message": e.Message})
	}
	return v
}

// Boot builds the API object. errClass is the GoToAuthError constructor:
// new errClass(code, message, details).
func Boot(errClass safejs.Value) (safejs.Value, error) {
	errorClass = errClass
	api := map[string]any{
		"version":                Version,
		"pkce":                   export(pkceFunc),
		"authorizeURL":           export(authorizeURL),
		"parseRedirect":          export(parseRedirect),
		"normalizeTokenResponse": export(normalizeTokenResponse),
		"migrateURL":             export(migrateURL),
		"client":                 export(newClient),
	}
	return toJS(api)
}
