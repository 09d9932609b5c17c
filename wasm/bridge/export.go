//go:build js && wasm

// Package bridge exports gotoauth's Go packages as the raw functions that
// web/gotoauth.js wraps into the public JS API.
//
// Each call carries one text payload in (a URL, a token, or options
// form-encoded) and one JSON text out, {"ok": value} or {"error": {...}}.
// Both travel through a Uint8Array the loader shares with the module
// (setBuffer): the payload is passed as its length in bytes, and a result
// that fits comes back as its length. Converting a JS string with
// syscall/js costs several boundary crossings and about 4 µs; the shared
// buffer costs one copy. A payload may also be passed as a plain string,
// and a result too large for the buffer comes back as a string.
//
// Every function goes through export, which recovers panics: a Go panic
// would end the wasm program and every later call would fail with "Go
// program has already exited".
package bridge

import (
	"github.com/hack-pad/safejs"

	"gotoauth/wasm/oauth"
	"gotoauth/wasm/wire"
)

// Version is the module's version, reported as `version`.
const Version = "0.2.0"

// handler is one exported function: given the payload (args[0]) and the
// other arguments, it writes its value into w, or returns an error.
type handler func(w *wire.Writer, payload string, args []safejs.Value) error

// funcs keeps every exported function alive for the program's life.
var funcs []safejs.Func

// export wraps h so that it always returns one JSON envelope, whatever h
// does, panics included.
func export(h handler) safejs.Func {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) (result any) {
		defer func() {
			if p := recover(); p != nil {
				result = failure(internalError(p))
			}
		}()
		payload, err := readPayload(arg(args, 0))
		if err != nil {
			return reply([]byte(failure(err)))
		}
		w := wire.NewWriter(512 + len(payload))
		w.Open('{').Key("ok")
		if err := h(w, payload, args); err != nil {
			return reply([]byte(failure(err)))
		}
		return reply(w.Close('}').Bytes())
	})
	if err != nil {
		panic("gotoauth: cannot export a function: " + err.Error())
	}
	funcs = append(funcs, f)
	return f
}

func internalError(p any) error {
	msg := "panic"
	switch v := p.(type) {
	case error:
		msg = v.Error()
	case string:
		msg = v
	}
	return &oauth.Error{Code: oauth.Internal, Message: "gotoauth caught an internal error; the module keeps working: " + msg}
}

// failure is the error envelope: {"error": {code, message, error?,
// errorDescription?, errorURI?, status?}}.
func failure(err error) string {
	e, ok := err.(*oauth.Error)
	if !ok {
		e = &oauth.Error{Code: oauth.Internal, Message: err.Error()}
	}
	w := wire.NewWriter(128)
	w.Open('{').Key("error").Open('{').Field("code", string(e.Code)).Field("message", e.Message).
		OptField("error", e.OAuth).OptField("errorDescription", e.Description).OptField("errorURI", e.URI)
	if e.Status != 0 {
		w.Key("status").Int(int64(e.Status))
	}
	return w.Close('}').Close('}').String()
}

// Boot builds the raw API object that gotoauth.js wraps.
func Boot() (safejs.Value, error) {
	api, err := safejs.Global().Get("Object")
	if err != nil {
		return api, err
	}
	obj, err := api.New()
	if err != nil {
		return obj, err
	}
	for name, h := range map[string]handler{
		"pkce":                   pkceFunc,
		"authorizeURL":           authorizeURL,
		"parseRedirect":          parseRedirect,
		"normalizeTokenResponse": normalizeTokenResponse,
		"migrateURL":             migrateURL,
		"newClient":              newClient,
		"clientAuthorize":        clientAuthorize,
		"clientHandleRedirect":   clientHandleRedirect,
		"clientExchangeCode":     clientExchangeCode,
		"clientRefresh":          clientRefresh,
		"clientMe":               clientMe,
		"clientRelease":          clientRelease,
		"setBuffer":              setBuffer,
	} {
		if err := obj.Set(name, export(h)); err != nil {
			return obj, err
		}
	}
	return obj, obj.Set("version", Version)
}
