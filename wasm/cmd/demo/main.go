//go:build js && wasm

// Command demo is gotoauth's demo page (web/index.html), driven from Go
// through honnef.co/go/js/dom/v2. It uses the package as any app does:
// web/demo.js loads gotoauth.js, whose load() leaves the API at
// globalThis.gotoauth, and this program calls that API through safejs.
// What the page shows of the sign-in it reads from client.session: its
// events ('change' with event.source, 'expired', 'signedout') and current.
// Every rule of signing in, refreshing, the tabs and the relay is the
// library's. Each action runs on a goroutine of its own, since the
// library's calls return promises (js.go's call waits for them); js/wasm
// runs every goroutine on the page's one thread, taking turns only where
// one waits, so `app` needs no lock.
//
// Files: main.go (the start and the actions), session.go (what the page
// does with the session's events), settings.go (the sign-in form, kept
// across the redirect), page.go (what the page shows), js.go (calls into
// JavaScript, and waiting for a promise).
package main

import (
	"github.com/hack-pad/safejs"
	"honnef.co/go/js/dom/v2"
)

// client is a gotoauth client (gotoauth.client(config)) and its session.
type client struct {
	v, session safejs.Value
	relay      bool   // it signs in through a token relay
	flow       string // "code" or "implicit"
}

var (
	lib, _ = safejs.Global().Get("gotoauth")
	// app is the client the page shows; sign-in replaces it.
	app *client
)

func main() {
	onClick("sign-in", signIn)
	el("sign-in-popup").AddEventListener("click", false, func(dom.Event) { signInWithPopup() })
	onClick("refresh", refresh)
	onClick("fetch-me", fetchMe)
	onClick("sign-out", signOut)
	onClick("paste-explain", func() { explainURL(value("paste-input")) })
	go start()
	select {}
}

func onClick(id string, f func()) {
	el(id).AddEventListener("click", false, func(ev dom.Event) {
		ev.PreventDefault()
		go f()
	})
}

// start fills the form, then finishes the sign-in when the page is a
// redirect, or else asks the session for the sign-in that is there.
func start() {
	s := loadSettings()
	if s["client-id"] == "" {
		noClient()
		return
	}
	c, err := use(s)
	if err != nil {
		fail(err, "")
		return
	}
	if redirect, _ := call(c.v, "isRedirect"); isTrue(redirect) {
		finishSignIn(c)
		return
	}
	// Another tab's token, or, through a relay whose cookie is there, a
	// refreshed one: the 'change' event shows it.
	if _, err := call(c.session, "token"); err != nil {
		if !is(err, "reauthenticate") {
			fail(err, "")
			return
		}
		status("Not signed in.")
	}
}

// noClient: without a client id the page cannot make a client. On a
// redirect, the response is taken out of the address bar, and the page
// says what to do.
func noClient() {
	if err := moduleReady(); err != nil {
		fail(err, "")
		return
	}
	if _, err := call(lib, "parseRedirect", window.Location().Href()); err != nil {
		status("Not signed in: enter your client id.")
		return
	}
	_, _ = jsGlobal("history").Call("replaceState", nil, "", window.Location().Pathname())
	status("This page was opened with a sign-in response, but it does not know your client id: the sign-in was started in another tab or browser, whose settings this tab does not have. Enter your client id and sign in again, in this tab.")
}

// use makes the client the settings describe the page's client, in place
// of the one before it.
func use(s settings) (*client, error) {
	v, err := call(lib, "client", s.config())
	if err != nil {
		return nil, err
	}
	config := get(v, "config")
	c := &client{v: v, session: get(v, "session"), relay: str(config, "relay") != "", flow: str(config, "flow")}
	listen(c.session, "change", func(ev safejs.Value) { changed(c, ev) })
	listen(c.session, "expired", func(safejs.Value) { expired() })
	listen(c.session, "signedout", func(safejs.Value) { signedOut() })
	if app != nil {
		_, _ = app.v.Call("close")
	}
	app = c
	return c, nil
}

// finishSignIn checks and consumes the redirect in the address bar (which
// the library cleans) and, in the code flow, exchanges the code.
func finishSignIn(c *client) {
	result, err := call(c.v, "handleRedirect")
	if err == nil && str(result, "kind") == "code" {
		status("Exchanging the code…")
		_, err = call(c.v, "exchangeCode", result)
	}
	if err != nil {
		failSignIn(c, err)
	}
}

// failSignIn shows why a sign-in failed, and what to do when the page
// cannot redeem its code alone.
func failSignIn(c *client, err error) {
	hint := ""
	if e, _ := err.(*jsError); !c.relay && e != nil && e.OAuth == "invalid_client" {
		hint = "GoTo's token endpoint wants the client secret, which a page must never hold: set the Relay field to a token relay, or sign in with the implicit flow."
	}
	fail(err, hint)
}

// begin makes the client the form describes the page's, and keeps the
// form for the page the sign-in comes back to (in a popup, whose
// sessionStorage starts as a copy of this tab's).
func begin() *client {
	clearError()
	s := readSettings()
	c, err := use(s)
	if err != nil {
		fail(err, "")
		return nil
	}
	s.save()
	return c
}

func signIn() {
	if c := begin(); c != nil {
		err := moduleReady()
		var a safejs.Value
		if err == nil {
			a, err = call(c.v, "authorize")
		}
		if err != nil {
			fail(err, "")
			return
		}
		status("Signing in…")
		window.Location().SetHref(str(a, "url"))
	}
}

// signInWithPopup opens the popup, whose page (this one, at the redirect
// URI) hands the redirect back to this one, which exchanges the code. It
// runs in the click: a browser blocks a popup opened later.
func signInWithPopup() {
	c := begin()
	if c == nil {
		return
	}
	show("token-panel", false)
	show("profile", false)
	status("Signing in in the popup…")
	p, _ := c.v.Call("signInWithPopup")
	go func() {
		if _, err := await(p); err != nil {
			failSignIn(c, err)
		}
	}()
}

// refresh asks the relay for a new token (the button is there in relay
// mode only); the 'change' event shows what came back.
func refresh() {
	clearError()
	status("Refreshing through the relay…")
	if _, err := call(app.v, "refresh"); err != nil {
		fail(err, "")
		if is(err, "reauthenticate") {
			status("The relay holds no sign-in any more: sign in again.")
		}
	}
}

func fetchMe() {
	clearError()
	status("Fetching /me…")
	t, err := call(app.session, "token")
	var p safejs.Value
	if err == nil {
		p, err = call(app.v, "me", str(t, "accessToken"))
	}
	if err != nil {
		fail(err, "")
		return
	}
	status("Profile loaded.")
	renderProfile(p)
}

// signOut ends the sign-in everywhere: the relay's cookie, every tab.
func signOut() {
	clearError()
	status("Signing out…")
	if _, err := call(app.v, "signOut"); err != nil {
		fail(err, "This page forgot the token, but the relay may still hold its cookie: sign out again.")
		return
	}
	if app.relay {
		status("Signed out. The relay cleared its cookie; the access token was only in this page's memory.")
	} else {
		status("Signed out. The token was only in this page's memory.")
	}
}
