//go:build js && wasm

// Package bridge exports gotoauth's Go packages as the raw functions that
// the loader (web/gotoauth-api.js) wraps into the public JS API.
//
// # The crossing format (the one place it is written down)
//
// In: each call carries one UTF-8 text payload, whose meaning the function
// fixes: a URL, a token, a JSON text (normalizeTokenResponse), or options
// form-encoded by the loader as name=value pairs (extra authorize
// parameters as "extra.NAME", scope space-joined). The payload travels
// through a Uint8Array the loader shares with the module (setBuffer) and is
// passed as its length in bytes; 0 means no payload. A payload may also be
// a plain string. Further arguments are numbers (client and checked-redirect ids),
// booleans, the caller's storage object, and, last, the callback of an
// asynchronous function.
//
// Out: one JSON text, {"ok": value} or {"error": {code, message, error?,
// errorDescription?, errorURI?, status?}}. A result that fits the shared
// buffer comes back as its length, otherwise as a string. An asynchronous
// function answers {"ok": null} at once (or an error, for bad arguments),
// runs its work in a goroutine, and calls its callback with the result's
// JSON text, exactly once.
//
// Converting a JS string with syscall/js costs several boundary crossings
// and about 4 µs; the shared buffer costs one copy. HTTP bodies reach Go
// as bytes and are parsed here, never walked property by property.
//
// Every function goes through export or exportAsync, which recover panics:
// a Go panic would end the wasm program and every later call would fail
// with "Go program has already exited". No function holds a Go lock while
// JS runs, so a call that comes back in (from a storage object, a
// getRandomValues replacement, a fetch) gets an answer.
package bridge

import (
	"github.com/hack-pad/safejs"

	"gotoauth/wasm/browser"
	"gotoauth/wasm/client"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/wire"
)

// Version is the module's version, reported as `version`.
var Version = "0.0.0-dev" // set at link time from web/package.json's version (Makefile: -ldflags -X)

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

// job is the blocking half of an asynchronous function: it runs in a
// goroutine and writes its value into w, or returns an error.
type job func(ctx client.Context, w *wire.Writer) error

// asyncHandler checks an asynchronous call's arguments at once and returns
// the job to run.
type asyncHandler func(payload string, args []safejs.Value) (job, error)

// exportAsync wraps h: its last argument is the callback that receives the
// result's JSON text. Bad arguments are answered at once; the job runs in
// a goroutine, where it may wait for JS promises, and the callback is
// called exactly once, whatever the job does, panics included.
func exportAsync(h asyncHandler) safejs.Func {
	return export(func(w *wire.Writer, payload string, args []safejs.Value) error {
		done := arg(args, len(args)-1)
		if browser.TypeOf(done) != safejs.TypeFunction {
			return oauth.Invalid("missing callback")
		}
		j, err := h(payload, args)
		if err != nil {
			return err
		}
		go func() {
			_, _ = done.Invoke(runJob(j))
		}()
		w.Null()
		return nil
	})
}

// runJob runs j and returns its envelope; a panic becomes an internal error.
func runJob(j job) (text string) {
	defer func() {
		if p := recover(); p != nil {
			text = failure(internalError(p))
		}
	}()
	w := wire.NewWriter(512)
	w.Open('{').Key("ok")
	if err := j(client.Background(), w); err != nil {
		return failure(err)
	}
	return w.Close('}').String()
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

// Boot builds the raw API object that the loader wraps: the functions and
// `version`. The limits the loader checks are not handed over: it has them
// as constants of web/gotoauth-contract.js, generated from wasm/limits.
func Boot() (safejs.Value, error) {
	api, err := safejs.Global().Get("Object")
	if err != nil {
		return api, err
	}
	obj, err := api.New()
	if err != nil {
		return obj, err
	}
	for _, e := range [...]struct {
		name string
		f    safejs.Func
	}{
		{"pkce", export(pkceFunc)},
		{"authorizeURL", export(authorizeURL)},
		{"parseRedirect", export(parseRedirect)},
		{"normalizeTokenResponse", export(normalizeTokenResponse)},
		{"migrateURL", export(migrateURL)},
		{"checkBearerURL", export(checkBearerURL)},
		{"newClient", export(newClient)},
		{"clientAuthorize", export(clientAuthorize)},
		{"clientHandleRedirect", export(clientHandleRedirect)},
		{"clientExchangeCode", exportAsync(clientExchangeCode)},
		{"clientRefresh", exportAsync(clientRefresh)},
		{"clientMe", exportAsync(clientMe)},
		{"clientSignOut", exportAsync(clientSignOut)},
		{"clientRelease", export(clientRelease)},
		{"setBuffer", export(setBuffer)},
	} {
		if err := obj.Set(e.name, e.f); err != nil {
			return obj, err
		}
	}
	return obj, obj.Set("version", Version)
}
