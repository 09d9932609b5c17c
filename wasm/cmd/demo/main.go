//go:build js && wasm

// Command demo is gotoauth's demo page (web/index.html), driven from Go
// through honnef.co/go/js/dom/v2. It signs in with wasm/client, the same
// code the library module exports, and renders everything as text.
package main

import (
	"strings"
	"time"

	"honnef.co/go/js/dom/v2"

	"gotoauth/wasm/browser"
	"gotoauth/wasm/client"
	"gotoauth/wasm/explain"
	"gotoauth/wasm/form"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/scim"
	"gotoauth/wasm/wire"
)

// settingsKey keeps the demo's form (never a token) across the redirect.
const settingsKey = "gotoauth.demo.settings"

var (
	doc = dom.GetWindow().Document()
	// token is the signed-in token; kept in memory only.
	token *oauth.Token
	// events serialises everything that touches the page's state: DOM
	// callbacks and fetch callbacks only post work here.
	events = make(chan func(), 16)
)

func main() {
	presetFields()
	on("sign-in", signIn)
	on("fetch-me", fetchMe)
	on("refresh", refreshToken)
	on("sign-out", signOut)
	on("paste-explain", explainPaste)
	go countdown()
	go handleReturn()
	setAttr("app", "data-ready", "true")
	for f := range events {
		f()
	}
}

func el(id string) dom.Element {
	e := doc.GetElementByID(id)
	if e == nil {
		panic("demo: no element #" + id)
	}
	return e
}

func on(id string, f func()) {
	el(id).AddEventListener("click", false, func(ev dom.Event) {
		ev.PreventDefault()
		post(f)
	})
}

// post queues f without blocking the JS callback that calls it.
func post(f func()) { go func() { events <- f }() }

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

// text sets an element's text: user data is never parsed as HTML.
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

// fail shows an error's stable code and message.
func fail(err error) {
	e, ok := err.(*oauth.Error)
	if !ok {
		e = &oauth.Error{Code: oauth.Internal, Message: err.Error()}
	}
	code := string(e.Code)
	if e.OAuth != "" {
		code += ": " + e.OAuth
	}
	setAttr("error", "data-code", string(e.Code))
	setAttr("error", "data-oauth-error", e.OAuth)
	text("error-code", code)
	text("error-message", e.Message)
	show("error", true)
	status("Something went wrong.")
}

func clearError() { show("error", false) }

// settings are the form's fields.
type settings struct{ form.Values }

// fieldIDs are the form's fields, the only names settings hold.
var fieldIDs = []string{"client-id", "redirect-uri", "scopes", "flow", "authorize-endpoint", "token-endpoint", "me-endpoint"}

func readSettings() settings {
	v := form.Values{}
	for _, id := range fieldIDs {
		v = append(v, form.Param{Name: id, Value: value(id)})
	}
	return settings{v}
}

func (s settings) get(id string) string { v, _ := s.Get(id); return v }

func (s settings) client() (*client.Client, error) {
	cfg := client.Config{
		ClientID: s.get("client-id"), RedirectURI: s.get("redirect-uri"), Flow: s.get("flow"),
		Scope:             []string{s.get("scopes")},
		AuthorizeEndpoint: s.get("authorize-endpoint"), TokenEndpoint: s.get("token-endpoint"), MeEndpoint: s.get("me-endpoint"),
		Transport: browser.Fetch{},
	}
	if ss, ok := browser.SessionStorage(); ok {
		cfg.Storage = ss
	}
	return client.New(cfg)
}

// formClient is the client the form describes, or shows why there is none.
func formClient() (*client.Client, bool) {
	c, err := readSettings().client()
	if err != nil {
		fail(err)
		return nil, false
	}
	return c, true
}

// presetFields fills the form: the saved settings after a redirect, else
// the emulator's endpoints when the page is served with it, else GoTo's.
func presetFields() {
	here, _ := browser.CurrentAddress()
	u, _ := form.SplitURL(here)
	origin := u.Scheme + "://" + u.Authority
	setValue("redirect-uri", origin+u.Path)
	if ss, ok := browser.SessionStorage(); ok {
		if raw, found, _ := ss.GetItem(settingsKey); found {
			if v, err := form.Parse(raw); err == nil {
				for _, id := range fieldIDs {
					if val, ok := v.Get(id); ok {
						setValue(id, val)
					}
				}
				if strings.HasPrefix(value("authorize-endpoint"), origin+"/goto/") {
					text("mode", "Using the local GoTo emulator (settings kept across the redirect).")
				} else {
					text("mode", "Using the endpoints entered before the redirect.")
				}
				return
			}
		}
	}
	setValue("scopes", "identity:scim.me")
	setValue("authorize-endpoint", oauth.DefaultAuthorizeEndpoint)
	setValue("token-endpoint", oauth.DefaultTokenEndpoint)
	setValue("me-endpoint", scim.DefaultMeEndpoint)
	text("mode", "Endpoints are GoTo's: enter your client id.")
	go func() {
		r, err := browser.Fetch{}.RoundTrip(client.Background(), &client.Request{Method: "GET", URL: origin + "/goto/_emulator/info"})
		if err != nil || r.Status != 200 {
			return
		}
		info, err := wire.ParseObject(r.Body)
		if err != nil || info["emulator"] != true {
			return
		}
		post(func() {
			id, _ := info["clientId"].(string)
			setValue("client-id", id)
			setValue("authorize-endpoint", origin+"/goto/oauth/authorize")
			setValue("token-endpoint", origin+"/goto/oauth/token")
			setValue("me-endpoint", origin+"/goto/identity/v1/Users/me")
			text("mode", "Served with the local GoTo emulator: endpoints are preset to it.")
		})
	}()
}

func signIn() {
	clearError()
	s := readSettings()
	c, err := s.client()
	if err != nil {
		fail(err)
		return
	}
	a, err := c.Authorize(client.AuthorizeOptions{})
	if err != nil {
		fail(err)
		return
	}
	if ss, ok := browser.SessionStorage(); ok {
		_ = ss.SetItem(settingsKey, s.Encode())
	}
	status("Signing in…")
	dom.GetWindow().Location().Set("href", a.URL)
}

// handleReturn finishes a sign-in when the page is the redirect target.
func handleReturn() {
	here, err := browser.CurrentAddress()
	if err != nil || !oauth.IsRedirect(here) {
		return
	}
	events <- func() {
		// Before anything can fail: no code or token stays in the address bar.
		browser.CleanAddressBar(here)
		c, err := readSettings().client()
		if err != nil {
			fail(err)
			return
		}
		cb, err := c.HandleRedirect(here)
		if err != nil {
			fail(err)
			return
		}
		if cb.Redirect.Kind == oauth.KindToken {
			signedIn(cb.Redirect.Token)
			return
		}
		status("Exchanging the code…")
		go func() {
			t, err := c.Exchange(client.Background(), cb)
			post(func() {
				if err != nil {
					fail(err)
					return
				}
				signedIn(t)
			})
		}()
	}
}

func signedIn(t *oauth.Token) {
	token = t
	clearError()
	status("Signed in.")
	renderToken()
	show("token-panel", true)
}

func renderToken() {
	t := token
	text("token-access", explain.Mask(t.AccessToken))
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
	if t.RefreshToken != "" {
		refresh = explain.Mask(t.RefreshToken)
	}
	text("token-refresh", refresh)
	el("refresh").(*dom.HTMLButtonElement).SetDisabled(t.RefreshToken == "")
	renderExpiry()
}

func renderExpiry() {
	if token == nil {
		return
	}
	if !token.HasExpiry {
		text("token-expiry", "not stated")
		return
	}
	left := time.Until(time.UnixMilli(token.ExpiresAt))
	text("token-expiry", explain.Duration(left))
}

func countdown() {
	for range time.Tick(time.Second) {
		events <- renderExpiry
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func fetchMe() {
	if token == nil {
		fail(&oauth.Error{Code: oauth.InvalidArgument, Message: "sign in first"})
		return
	}
	c, ok := formClient()
	if !ok {
		return
	}
	status("Fetching /me…")
	at := token.AccessToken
	go func() {
		p, _, err := c.Me(client.Background(), at)
		post(func() {
			if err != nil {
				fail(err)
				return
			}
			clearError()
			status("Profile loaded.")
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
			for _, f := range p.Legacy {
				text("legacy-"+f.Name, orDash(f.Value))
			}
			show("profile", true)
		})
	}()
}

func refreshToken() {
	if token == nil || token.RefreshToken == "" {
		fail(&oauth.Error{Code: oauth.InvalidArgument, Message: "no refresh token: sign in with the code flow"})
		return
	}
	c, ok := formClient()
	if !ok {
		return
	}
	status("Refreshing…")
	old := token.RefreshToken
	go func() {
		t, err := c.Refresh(client.Background(), old)
		post(func() {
			if err != nil {
				fail(err)
				return
			}
			signedIn(t)
			if t.RefreshToken == old {
				status("Refreshed; the refresh token was kept (GoTo returned none).")
			} else {
				status("Refreshed; GoTo rotated the refresh token.")
			}
			setAttr("token-panel", "data-refreshed", "true")
		})
	}()
}

func signOut() {
	token = nil
	show("token-panel", false)
	show("profile", false)
	clearError()
	status("Signed out. The token was only in this page's memory.")
}

func explainPaste() {
	ex := explain.URL(value("paste-input"), time.Now())
	out := el("paste-output")
	out.SetTextContent("")
	for _, l := range ex.Lines {
		dt := doc.CreateElement("dt")
		dt.SetTextContent(l.Label)
		dd := doc.CreateElement("dd")
		dd.SetTextContent(l.Value)
		out.AppendChild(dt)
		out.AppendChild(dd)
	}
	if ex.Err != nil {
		dt := doc.CreateElement("dt")
		dt.SetTextContent(string(ex.Err.Code))
		dd := doc.CreateElement("dd")
		dd.SetTextContent(ex.Err.Message)
		out.AppendChild(dt)
		out.AppendChild(dd)
	}
	show("paste-output", true)
}
