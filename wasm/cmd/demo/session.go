//go:build js && wasm

package main

import (
	"time"

	"github.com/hack-pad/safejs"
)

// What the page does with c's session events. (A client the page replaced
// is closed: its session fires nothing more.)

// changed: the session holds a token; event.source says where it came from.
func changed(c *client, ev safejs.Value) {
	t := get(ev, "detail")
	renderToken(t, c)
	clearError()
	at := time.Now().Format("15:04:05")
	switch str(ev, "source") {
	case "exchange":
		status("Signed in.")
	case "refresh":
		if c.relay {
			status("New token from the relay at " + at + "; the refresh token stays in its HttpOnly cookie.")
		} else {
			status("New token at " + at + ", refreshed with the refresh token the session holds in this page's memory.")
		}
	case "memory":
		status("Refreshed through the relay, and the same access token came back: the relay answers a refresh that repeats a recent one with the same cookie (from this tab or another) from its short memory, so that GoTo is asked once. Refresh again in a few seconds for a new token.")
		return // the same token: its countdown runs already
	case "tab":
		status("Signed in; another tab shared its token at " + at + ".")
	}
	go countDown(c, str(t, "accessToken"))
}

// countDown shows once a second how long the token has left. When it has
// run out, it asks session.token() for a new one, once: the library
// decides whether and how it can be renewed ('change' or 'expired' tells).
// It ends when the session holds another token.
func countDown(c *client, access string) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for range tick.C {
		t, _ := c.session.Get("current")
		if str(t, "accessToken") != access {
			return
		}
		if renderExpiry(t) {
			continue
		}
		if _, err := call(c.session, "token"); err != nil && !is(err, "reauthenticate") {
			fail(err, "")
		}
		return
	}
}

// expired: the token ran out and cannot be renewed.
func expired() {
	text("token-expiry", "expired — sign in again")
	status("The token expired and cannot be renewed: sign in again.")
}

// signedOut: this tab or another signed out.
func signedOut() {
	show("token-panel", false)
	show("profile", false)
	status("Signed out, here or in another tab of this browser.")
}
