//go:build js && wasm

package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/hack-pad/safejs"
	"honnef.co/go/js/dom/v2"
)

// What the page shows, always as text: what the library or a server hands
// over is never parsed as HTML.

var (
	window = dom.GetWindow()
	doc    = window.Document()
)

func el(id string) dom.Element { return doc.GetElementByID(id) }

// value is a form field's value; setValue sets it.
func value(id string) string {
	return strings.TrimSpace(str(safejs.Safe(el(id).Underlying()), "value"))
}

func setValue(id, v string) { _ = safejs.Safe(el(id).Underlying()).Set("value", v) }

func text(id, s string) { el(id).SetTextContent(s) }

func show(id string, visible bool) { _ = safejs.Safe(el(id).Underlying()).Set("hidden", !visible) }

func status(s string) { text("status", s) }

// fail shows an error's stable code (and RFC 6749 error) and its message;
// hint, when not empty, says what to do about it on this page.
func fail(err error, hint string) {
	e, ok := err.(*jsError)
	if !ok {
		e = &jsError{Code: "internal", Message: err.Error()}
	}
	code := e.Code
	if e.OAuth != "" {
		code += ": " + e.OAuth
	}
	text("error-code", code)
	text("error-message", e.Message)
	text("error-hint", hint)
	show("error-hint", hint != "")
	show("error", true)
	status("Something went wrong.")
}

func clearError() { show("error", false) }

// renderToken shows a SessionToken of c's session.
func renderToken(t safejs.Value, c *client) {
	text("token-access", mask(str(t, "accessToken")))
	text("token-scopes", orDash(strings.Join(strs(t, "scope"), " ")))
	text("token-principal", orDash(str(t, "principal")))
	text("token-legacy", str(t, "legacy"))
	if str(t, "legacy") == "" {
		text("token-legacy", "none (today's format)")
	}
	switch {
	case c.relay:
		text("token-refresh", "held by the relay (HttpOnly cookie)")
		text("token-help", "When the token runs out, the page asks session.token() for a new one, which the library gets through the relay: one tab at a time (a Web Lock), and the other tabs of this origin hear the new access token, never a refresh token. A reloaded tab gets its token back the same way.")
	case c.flow == "code":
		text("token-refresh", "held by the session, in the memory of the tab that signed in")
		text("token-help", "A public client without a relay: when the token runs out, session.token() in the tab that signed in refreshes it with the refresh token it holds, and the other tabs hear the new access token, never the refresh token.")
	default:
		text("token-refresh", "none")
		text("token-help", "The implicit flow brings no refresh token: nothing renews this token. When it runs out, sign in again.")
	}
	show("refresh", c.relay)
	renderExpiry(t)
	show("token-panel", true)
}

// renderExpiry shows how long t has left, and reports whether it has any.
func renderExpiry(t safejs.Value) bool {
	at := num(t, "expiresAt")
	if at == 0 {
		text("token-expiry", "not stated")
		return true
	}
	left := time.Until(time.UnixMilli(int64(at)))
	if left <= 0 {
		text("token-expiry", "expired — asking for a new one")
		return false
	}
	text("token-expiry", left.Truncate(time.Second).String())
	return true
}

func renderProfile(p safejs.Value) {
	text("me-id", str(p, "id"))
	text("me-username", str(p, "userName"))
	text("me-name", orDash(strings.TrimSpace(str(p, "givenName")+" "+str(p, "familyName"))))
	text("me-display", orDash(str(p, "displayName")))
	text("me-locale", orDash(str(p, "locale"))+" · "+orDash(str(p, "timezone")))
	accounts := get(p, "accounts")
	n, _ := accounts.Length()
	var list []string
	for i := 0; i < n; i++ {
		a, _ := accounts.Index(i)
		s := str(a, "key")
		if name := str(a, "name"); name != "" {
			s += " (" + name + ")"
		}
		if e := strs(a, "entitlements"); len(e) > 0 {
			s += ": " + strings.Join(e, ", ")
		}
		list = append(list, s)
	}
	text("me-accounts", orDash(strings.Join(list, "; ")))
	legacy := get(p, "legacy")
	for _, name := range []string{"organizer_key", "account_key", "email", "firstName", "lastName"} {
		text("legacy-"+name, orDash(str(legacy, name)))
	}
	show("profile", true)
}

// explainURL shows what the library reads in a pasted URL, as its API
// hands it out: parseRedirect's result for a redirect, else migrateURL's
// for an old URL, else why it is neither.
func explainURL(url string) {
	if err := moduleReady(); err != nil {
		text("paste-output", err.Error())
		show("paste-output", true)
		return
	}
	out := "parseRedirect: "
	r, err := call(lib, "parseRedirect", url)
	if err != nil {
		out = "migrateURL: "
		if r, _ = call(lib, "migrateURL", url); !isTrue(get(r, "changed")) {
			out, r = err.Error(), safejs.Undefined()
		}
	}
	if r.Type() == safejs.TypeObject {
		json, _ := call(jsGlobal("JSON"), "stringify", r, nil, 2)
		s, _ := json.String()
		out += s
	}
	text("paste-output", out)
	show("paste-output", true)
}

// mask shows enough of a secret to recognise it, never all of it.
func mask(s string) string {
	if len(s) <= 8 {
		return strings.Repeat("•", len(s))
	}
	return s[:6] + "… (" + strconv.Itoa(len(s)) + " characters)"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func isTrue(v safejs.Value) bool {
	b, err := v.Bool()
	return err == nil && b
}
