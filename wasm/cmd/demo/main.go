//go:build js && wasm

// Command demo is gotoauth's demo page (web/index.html), driven from Go
// through honnef.co/go/js/dom/v2. It is the library's first user: web/demo.js
// loads the package (gotoauth.js) as any app does, and this program signs in
// through the package's public JS API only (gotoauth.go), called through
// safejs: client, authorize, handleRedirect, exchangeCode, refresh, me,
// signOut, and client.session, whose token() renews and restores the
// sign-in and whose events carry other tabs' tokens and sign-outs. Every
// rule of signing in, refreshing, the tabs and the relay is the library's;
// the page only shows what it does.
//
// Files: settings.go (the sign-in form, kept across the redirect and preset
// from serve.go), render.go (what the page shows), wiring.go (buttons,
// session events, the page's start), client.go and gotoauth.go (the calls
// into the library).
package main

import "time"

// events serialises everything that touches the page's state: DOM
// callbacks, session events and the library's answers only post work here.
var events = make(chan func(), 64)

func main() {
	wire()
	go start()
	go func() {
		for range time.Tick(time.Second) {
			post(tick)
		}
	}()
	for f := range events {
		f()
	}
}

// post queues f without blocking the JS callback that calls it, in order
// while the queue has room.
func post(f func()) {
	select {
	case events <- f:
	default:
		go func() { events <- f }()
	}
}

// onLoop runs f on the event loop and waits for it; for goroutines only.
func onLoop(f func()) {
	done := make(chan struct{})
	post(func() {
		defer close(done)
		f()
	})
	<-done
}
