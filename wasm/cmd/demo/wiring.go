//go:build js && wasm

package main

import (
	"strings"
	"time"

	"github.com/hack-pad/safejs"
	"honnef.co/go/js/dom/v2"

	"gotoauth/wasm/explain"
)

// The page's state, touched on the event loop only (see post).
var (
	// active is the client whose session the page shows.
	active *client
	// shown is the session's token as the page shows it, or nil.
	shown *token
	// refreshToken is the refresh token of this tab's own code-flow
	// sign-in without a relay (a public client), kept in memory only to
	// pass to refresh(); "" otherwise (a relay keeps it in its cookie).
	refreshToken string
	// refreshes counts this tab's refreshes since the sign-in (data-refreshes).
	refreshes int
	// ownCalls counts this tab's calls in flight that may change the
	// session's token: a change heard while there are none came from
	// another tab.
	ownCalls int
	// signingOut: this tab's signOut is in flight.
	signingOut bool
	// askedFor and expiredFor are the access tokens the page asked
	// session.token() to replace when they ran out, and the one the session
	// said cannot be renewed: each is asked for once.
	askedFor, expiredFor string
)

func wire() {
	on("sign-in", signIn)
	on("fetch-me", fetchMe)
	on("refresh", refresh)
	on("sign-out", signOut)
	on("paste-explain", func() { renderExplanation(explain.URL(value("paste-input"), time.Now())) })
}

func on(id string, f func()) {
	el(id).AddEventListener("click", false, func(ev dom.Event) {
		ev.PreventDefault()
		post(f)
	})
}

// start fills the form, then finishes the sign-in when the page is a
// redirect, or else restores the session.
func start() {
	presetFields()
	onLoop(func() { setAttr("app", "data-ready", "true") })
	if looksLikeRedirect() {
		handleReturn()
	} else {
		restore()
	}
	post(func() { setAttr("app", "data-started", "true") })
}

// looksLikeRedirect: the address carries what an authorization response
// carries. handleRedirect decides whether it is one.
func looksLikeRedirect() bool {
	loc := window.Location()
	for _, part := range []string{loc.Search(), loc.Hash()} {
		for _, p := range []string{"state=", "code=", "error=", "access_token="} {
			if strings.Contains(part, p) {
				return true
			}
		}
	}
	return false
}

// useClient makes the client the settings describe the page's client,
// unless it already is. On a goroutine.
func useClient(s settings) (*client, error) {
	key := s.Encode()
	var c *client
	onLoop(func() {
		if active != nil && active.key == key {
			c = active
		}
	})
	if c != nil {
		return c, nil
	}
	c, err := newClient(s.config(), key)
	if err != nil {
		return nil, err
	}
	c.on("change", func(d safejs.Value) { changed(c, readToken(d)) })
	c.on("signedout", func(safejs.Value) { signedOut(c) })
	c.on("expired", func(d safejs.Value) { expired(c, readToken(d)) })
	onLoop(func() { active = c })
	return c, nil
}

// settingsNow reads the form on the event loop.
func settingsNow() (s settings) {
	onLoop(func() { s = readSettings() })
	return s
}

// restore asks the session for a token: another tab's, or, through a
// relay whose cookie is still there, a refreshed one. reauthenticate means
// there is no sign-in to restore.
func restore() {
	c, err := useClient(settingsNow())
	if err != nil {
		post(func() { status("Not signed in.") })
		return
	}
	onLoop(func() { ownCalls++ })
	_, err = c.token()
	post(func() {
		ownCalls--
		switch {
		case is(err, "reauthenticate"):
			status("Not signed in.")
		case err != nil:
			fail(err, "")
		default:
			status("Signed in: session.token() restored the session (another tab's token, or a refresh through the relay's cookie).")
		}
	})
}

// handleReturn finishes a sign-in when the page is the redirect target.
func handleReturn() {
	c, err := useClient(settingsNow())
	if err != nil {
		post(func() { fail(err, "") })
		return
	}
	onLoop(func() { ownCalls++ })
	result, kind, err := c.handleRedirect()
	if err != nil || kind != "code" {
		post(func() {
			ownCalls--
			if err != nil {
				fail(err, "")
				return
			}
			signedIn()
		})
		return
	}
	post(func() {
		if c.relay {
			status("Exchanging the code through the relay…")
		} else {
			status("Exchanging the code…")
		}
	})
	t, err := c.exchangeCode(result)
	post(func() {
		ownCalls--
		if err != nil {
			hint := ""
			if e, ok := err.(*apiError); ok && !c.relay && e.OAuth == "invalid_client" {
				hint = "GoTo's token endpoint wants the client secret, which a page must never hold: set the Relay field to a token relay, or sign in with the implicit flow."
			}
			fail(err, hint)
			return
		}
		if !c.relay {
			refreshToken = t.Refresh
		}
		signedIn()
	})
}

func signedIn() {
	refreshes = 0
	renderRefreshes(0)
	clearError()
	status("Signed in.")
	if shown != nil {
		renderToken(shown, active, refreshToken)
	}
}

func signIn() {
	clearError()
	s := readSettings()
	go func() {
		c, err := useClient(s)
		if err != nil {
			post(func() { fail(err, "") })
			return
		}
		url, err := c.authorize()
		post(func() {
			if err != nil {
				fail(err, "")
				return
			}
			s.save()
			status("Signing in…")
			window.Location().SetHref(url)
		})
	}()
}

func fetchMe() {
	c := active
	if c == nil || shown == nil {
		fail(&apiError{Code: "invalid_argument", Message: "sign in first"}, "")
		return
	}
	status("Fetching /me…")
	ownCalls++
	go func() {
		t, err := c.token()
		var p *profile
		if err == nil {
			p, err = c.me(t.Access)
		}
		post(func() {
			ownCalls--
			if err != nil {
				fail(err, "")
				return
			}
			clearError()
			status("Profile loaded.")
			renderProfile(p)
		})
	}()
}

func refresh() {
	c := active
	if c == nil || shown == nil || (!c.relay && refreshToken == "") {
		fail(&apiError{Code: "invalid_argument", Message: "no refresh token in this tab: sign in with the code flow"}, "")
		return
	}
	old, oldRefresh := shown.Access, refreshToken
	if c.relay {
		status("Refreshing through the relay…")
	} else {
		status("Refreshing…")
	}
	ownCalls++
	go func() {
		t, err := c.refresh(oldRefresh)
		post(func() {
			ownCalls--
			if c != active {
				return
			}
			if err != nil {
				fail(err, "")
				if is(err, "reauthenticate") {
					status("The relay holds no session any more: sign in again.")
				}
				return
			}
			if !c.relay {
				refreshToken = t.Refresh
			}
			refreshes++
			renderRefreshes(refreshes)
			clearError()
			if shown != nil {
				renderToken(shown, c, refreshToken)
			}
			switch {
			case c.relay && t.Access == old:
				status("Refreshed through the relay, and the same access token came back: the relay answers a refresh that repeats a recent one with the same cookie (from this tab or another) from its short memory, with the same answer, so that GoTo is asked once. Refresh again in a few seconds for a new token.")
			case c.relay:
				status("Refreshed through the relay; the refresh token stays in its HttpOnly cookie.")
			case t.Refresh == oldRefresh:
				status("Refreshed; the refresh token was kept (GoTo returned none).")
			default:
				status("Refreshed; GoTo rotated the refresh token.")
			}
		})
	}()
}

// signOut ends the sign-in everywhere (the relay's cookie, every tab); the
// session announces it even when the relay could not be reached.
func signOut() {
	c := active
	if c == nil {
		return
	}
	signingOut = true
	if c.relay {
		status("Signing out at the relay…")
	} else {
		status("Signing out…")
	}
	go func() {
		err := c.signOut()
		post(func() {
			signingOut = false
			shown, refreshToken, refreshes = nil, "", 0
			renderSignedOut()
			if err != nil {
				fail(err, "This page forgot the token, but the relay may still hold its cookie: sign out again.")
				return
			}
			clearError()
			if c.relay {
				status("Signed out. The relay cleared its cookie; the access token was only in this page's memory.")
			} else {
				status("Signed out. The token was only in this page's memory.")
			}
		})
	}()
}

// Session events.

// changed: the session holds a new token, from this tab's call or from
// another tab.
func changed(c *client, t *token) {
	if c != active || t == nil {
		return
	}
	before := shown
	shown = t
	if ownCalls == 0 {
		// Nothing of this tab's is in flight: another tab's token.
		clearError()
		if before == nil {
			status("Signed in; the token came from another tab.")
		} else {
			autoLine("Another tab renewed the token at " + clock(time.Now()) + ".")
			status("Signed in; another tab renewed the token.")
		}
	}
	renderToken(t, c, refreshToken)
}

func signedOut(c *client) {
	if c != active {
		return
	}
	shown, refreshToken, refreshes = nil, "", 0
	renderSignedOut()
	if !signingOut {
		clearError()
		status("Signed out in another tab.")
	}
}

func expired(c *client, t *token) {
	if c != active || t == nil {
		return
	}
	expiredFor = t.Access
	if shown != nil && shown.Access == t.Access {
		renderExpiry(shown, time.Now(), true)
		status("The token expired and cannot be renewed: sign in again.")
	}
}

// tick renders the countdown once a second. When the token shown has run
// out, the page asks session.token() for a new one, once: the library
// decides whether and how it can be renewed.
func tick() {
	t, c := shown, active
	if t == nil || c == nil {
		return
	}
	now := time.Now()
	renderExpiry(t, now, t.Access == expiredFor)
	if t.ExpiresAt == 0 || now.UnixMilli() < t.ExpiresAt || askedFor == t.Access || expiredFor == t.Access {
		return
	}
	askedFor = t.Access
	ownCalls++
	go func() {
		n, err := c.token()
		post(func() {
			ownCalls--
			if c != active {
				return
			}
			switch {
			case is(err, "reauthenticate"):
				expiredFor = t.Access
				if shown != nil && shown.Access == t.Access {
					renderExpiry(t, time.Now(), true)
				}
				status("The token expired and cannot be renewed: sign in again.")
			case err != nil:
				fail(err, "")
			case n.Access != t.Access:
				autoLine("Renewed at " + clock(time.Now()) + ": the token ran out and session.token() got a new one (one refresh for all the tabs).")
				status("Signed in; the token was renewed.")
			}
		})
	}()
}
