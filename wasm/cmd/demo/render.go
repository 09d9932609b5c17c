//go:build js && wasm

package main

import (
	"strconv"
	"strings"
	"time"

	"honnef.co/go/js/dom/v2"

	"gotoauth/wasm/explain"
)

// Rendering: everything the page shows, as text (user data is never
// parsed as HTML), through dom/v2.

var (
	window = dom.GetWindow()
	doc    = window.Document()
)

func el(id string) dom.Element {
	e := doc.GetElementByID(id)
	if e == nil {
		panic("demo: no element #" + id)
	}
	return e
}

func value(id string) string {
	switch e := el(id).(type) {
	case *dom.HTMLInputElement:
		return strings.TrimSpace(e.Value())
	case *dom.HTMLSelectElement:
		return e.Value()
	case *dom.HTMLTextAreaElement:
		return e.Value()
	}
	return ""
}

func setValue(id, v string) {
	switch e := el(id).(type) {
	case *dom.HTMLInputElement:
		e.SetValue(v)
	case *dom.HTMLSelectElement:
		e.SetValue(v)
	case *dom.HTMLTextAreaElement:
		e.SetValue(v)
	}
}

// text sets an element's text.
func text(id, s string) { el(id).SetTextContent(s) }

func setAttr(id, name, v string) { el(id).SetAttribute(name, v) }

func show(id string, visible bool) {
	if visible {
		el(id).RemoveAttribute("hidden")
	} else {
		el(id).SetAttribute("hidden", "")
	}
}

func status(s string) { text("status", s) }

// fail shows an error's stable code and its message; hint, when not
// empty, says what to do about it on this page.
func fail(err error, hint string) {
	e, ok := err.(*apiError)
	if !ok {
		e = &apiError{Code: "internal", Message: err.Error()}
	}
	code := e.Code
	if e.OAuth != "" {
		code += ": " + e.OAuth
	}
	setAttr("error", "data-code", e.Code)
	setAttr("error", "data-oauth-error", e.OAuth)
	text("error-code", code)
	text("error-message", e.Message)
	text("error-hint", hint)
	show("error-hint", hint != "")
	show("error", true)
	status("Something went wrong.")
}

func clearError() { show("error", false) }

// Token panel.

// renderToken shows t. refresh is how the token can be renewed, for the
// Refresh token row: "relay", a refresh token this page holds, or "".
func renderToken(t *token, c *client, refreshToken string) {
	text("token-access", explain.Mask(t.Access))
	scope := strings.Join(t.Scope, " ")
	if scope == "" {
		scope = "(none listed)"
	}
	text("token-scopes", scope)
	text("token-principal", orDash(t.Principal))
	legacy := "none (today's format)"
	if t.Legacy != "" {
		legacy = t.Legacy
	}
	text("token-legacy", legacy)
	refresh := "none"
	switch {
	case c.relay:
		refresh = "held by the relay (HttpOnly cookie)"
	case refreshToken != "":
		refresh = explain.Mask(refreshToken)
	case c.flow == "code":
		refresh = "none in this tab (the tab that signed in holds it)"
	}
	text("token-refresh", refresh)
	el("refresh").(*dom.HTMLButtonElement).SetDisabled(!c.relay && refreshToken == "")
	text("token-help", helpText(c, refreshToken))
	renderExpiry(t, time.Now(), false)
	show("token-panel", true)
}

// helpText says what happens when the token runs out, for the way this
// page signed in.
func helpText(c *client, refreshToken string) string {
	switch {
	case c.relay:
		return "When the token runs out, the page asks session.token() for a new one, which the library gets through the relay: one tab at a time (a Web Lock), and the other tabs of this origin hear the new access token, never a refresh token, on a BroadcastChannel. session.token() and session.fetch() renew a token with less than a minute left whenever the app uses it, and a reloaded tab gets its token back the same way."
	case refreshToken != "":
		return "This page holds the refresh token in its memory (a public client without a relay): when the token runs out, session.token() refreshes it with that refresh token. Other tabs hear the new access token, never the refresh token."
	case c.flow == "implicit":
		return "The implicit flow brings no refresh token: nothing renews this token. When it runs out, sign in again."
	}
	return "This tab holds no refresh token: when the token runs out, the tab that signed in renews it, or sign in again."
}

// renderExpiry shows how long t has left; expired says that it ran out
// and could not be renewed.
func renderExpiry(t *token, now time.Time, expired bool) {
	switch {
	case expired:
		text("token-expiry", "expired — sign in again")
	case t.ExpiresAt == 0:
		text("token-expiry", "not stated")
	default:
		if left := time.UnixMilli(t.ExpiresAt).Sub(now); left > 0 {
			text("token-expiry", explain.Duration(left))
		} else {
			text("token-expiry", "expired — asking for a new one")
		}
	}
}

// autoLine tells how the token last changed by itself.
func autoLine(s string) {
	text("token-auto", s)
	show("token-auto", s != "")
}

// renderRefreshes marks the refreshes this tab asked for, for the tests.
func renderRefreshes(n int) {
	if n == 0 {
		el("token-panel").RemoveAttribute("data-refreshed")
		el("token-panel").RemoveAttribute("data-refreshes")
		return
	}
	setAttr("token-panel", "data-refreshed", "true")
	setAttr("token-panel", "data-refreshes", strconv.Itoa(n))
}

func renderSignedOut() {
	show("token-panel", false)
	show("token-auto", false)
	renderRefreshes(0)
	show("profile", false)
}

func renderProfile(p *profile) {
	text("me-id", p.ID)
	text("me-username", p.UserName)
	text("me-name", orDash(strings.TrimSpace(p.GivenName+" "+p.FamilyName)))
	text("me-display", orDash(p.DisplayName))
	text("me-locale", orDash(p.Locale)+" · "+orDash(p.Timezone))
	accounts := make([]string, len(p.Accounts))
	for i, a := range p.Accounts {
		accounts[i] = a.Key
		if a.Name != "" {
			accounts[i] += " (" + a.Name + ")"
		}
		if len(a.Entitlements) > 0 {
			accounts[i] += ": " + strings.Join(a.Entitlements, ", ")
		}
	}
	text("me-accounts", orDash(strings.Join(accounts, "; ")))
	for _, name := range legacyFields {
		text("legacy-"+name, orDash(p.Legacy[name]))
	}
	show("profile", true)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// renderExplanation lists what explain found in a pasted URL.
func renderExplanation(ex explain.Explanation) {
	out := el("paste-output")
	out.SetTextContent("")
	add := func(label, value string) {
		dt := doc.CreateElement("dt")
		dt.SetTextContent(label)
		dd := doc.CreateElement("dd")
		dd.SetTextContent(value)
		out.AppendChild(dt)
		out.AppendChild(dd)
	}
	for _, l := range ex.Lines {
		add(l.Label, l.Value)
	}
	if ex.Err != nil {
		add(string(ex.Err.Code), ex.Err.Message)
	}
	show("paste-output", true)
}

// clock is the local time of day, HH:MM:SS.
func clock(now time.Time) string {
	return now.Format("15:04:05")
}
