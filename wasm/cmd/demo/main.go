//go:build js && wasm

// Command demo is gotoauth's demo page (web/index.html), driven from Go
// through honnef.co/go/js/dom/v2. It signs in with wasm/client, the same
// code the library module exports, and renders everything as text.
//
// GoTo's token endpoint authenticates clients with a secret, which a page
// must never hold, so the code flow goes through a token relay (web/relay,
// serve.go -relay) when the page has one: the relay redeems and refreshes
// with the secret and keeps the refresh token in an HttpOnly cookie. The
// page learns how it is served from serve.go's /serve-config.json and the
// emulator's /goto/_emulator/info.
package main

import (
	"strconv"
	"strings"
	"syscall/js"
	"time"

	"github.com/hack-pad/safejs"
	"honnef.co/go/js/dom/v2"

	"gotoauth/wasm/browser"
	"gotoauth/wasm/client"
	"gotoauth/wasm/explain"
	"gotoauth/wasm/form"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/wire"
)

// settingsKey keeps the demo's form (never a token) across the redirect.
const settingsKey = "gotoauth.demo.settings"

var (
	doc = dom.GetWindow().Document()
	// token is the signed-in token; kept in memory only.
	token *oauth.Token
	// session is the client that signed in through a token relay, which
	// holds the refresh token in its HttpOnly cookie; nil when the page
	// signed in without one (the implicit flow, or a token endpoint).
	session *client.Client
	// refreshes counts the refreshes since the sign-in (data-refreshes).
	refreshes int
	// fromTab: the token came from another tab, which alone holds its
	// refresh token (a public client's; a relay's cookie is shared).
	fromTab bool
	// refreshing: an automatic refresh is asked for or in flight.
	refreshing bool
	// autoFailed is the access token whose automatic refresh failed: no
	// automatic retry for it (the user sees the error and signs in again).
	autoFailed string
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
	openChannel()
	go countdown()
	if here, err := browser.CurrentAddress(); err != nil || !oauth.IsRedirect(here) {
		// A tab opened on a signed-in session asks the others for the token.
		broadcast(map[string]any{"type": "ask"})
	}
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
var fieldIDs = []string{"client-id", "redirect-uri", "scopes", "flow", "relay", "authorize-endpoint", "token-endpoint", "me-endpoint"}

func readSettings() settings {
	v := form.Values{}
	for _, id := range fieldIDs {
		v = append(v, form.Param{Name: id, Value: value(id)})
	}
	return settings{v}
}

func (s settings) get(id string) string { v, _ := s.Get(id); return v }

// client is the client the settings describe. With a relay (its folder,
// resolved against the page) the token endpoint field is not used: the
// relay talks to it.
func (s settings) client() (*client.Client, error) {
	cfg := client.Config{
		ClientID: s.get("client-id"), RedirectURI: s.get("redirect-uri"), Flow: s.get("flow"),
		Scope:             []string{s.get("scopes")},
		AuthorizeEndpoint: s.get("authorize-endpoint"), MeEndpoint: s.get("me-endpoint"),
		Transport: browser.Fetch{},
	}
	if r := s.get("relay"); r != "" {
		abs, err := resolve(r)
		if err != nil {
			return nil, err
		}
		cfg.Relay = abs
	} else {
		cfg.TokenEndpoint = s.get("token-endpoint")
	}
	if ss, ok := browser.SessionStorage(); ok {
		cfg.Storage = ss
	}
	return client.New(cfg)
}

// resolve makes ref absolute against the page's address, as the library's
// loader does with its relay option.
func resolve(ref string) (string, error) {
	bad := oauth.Invalid("relay is not a URL: enter the relay's folder, such as /relay/")
	here, err := browser.CurrentAddress()
	if err != nil {
		return "", bad
	}
	ctor, err := safejs.Global().Get("URL")
	if err != nil {
		return "", bad
	}
	u, err := ctor.New(ref, here)
	if err != nil {
		return "", bad
	}
	href, err := u.Get("href")
	if err != nil {
		return "", bad
	}
	abs, err := href.String()
	if err != nil {
		return "", bad
	}
	return abs, nil
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

// Mode lines: how the page is served, and so how it signs in.
const (
	modeGoTo       = "Endpoints are GoTo's: enter your client id. Without a token relay a page signs in with the implicit flow: GoTo's token endpoint wants the client secret, which a page must never hold."
	modeGoToRelay  = "Served with the token relay for your GoTo client: the code flow goes through the relay; the page never sees the secret or the refresh token."
	modeEmulator   = "Served with the local GoTo emulator: endpoints are preset to it. Without the token relay (serve.go -relay) the page signs in with the implicit flow, as against GoTo."
	modeEmuRelay   = "Served with the local GoTo emulator and the token relay: the code flow goes through the relay; the page never sees the secret or the refresh token."
	configPath     = "/serve-config.json"
	emulatorInfo   = "/goto/_emulator/info"
	emulatorPrefix = "/goto/"
)

// presetFields fills the form: the saved settings after a redirect, else
// what the page's server says (serve.go's /serve-config.json, then the
// emulator's info when the page signs in at the emulator), else GoTo's
// endpoints and the implicit flow.
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
				through := ""
				if value("relay") != "" {
					through = " and the token relay"
				}
				if strings.HasPrefix(value("authorize-endpoint"), origin+emulatorPrefix) {
					text("mode", "Using the local GoTo emulator"+through+" (settings kept across the redirect).")
				} else {
					text("mode", "Using the endpoints"+through+" entered before the redirect.")
				}
				return
			}
		}
	}
	setValue("scopes", "identity:scim.me")
	setValue("flow", "implicit")
	setValue("relay", "")
	setValue("authorize-endpoint", oauth.DefaultAuthorizeEndpoint)
	setValue("token-endpoint", oauth.DefaultTokenEndpoint)
	setValue("me-endpoint", oauth.DefaultMeEndpoint)
	text("mode", modeGoTo)
	go func() {
		cfg := getJSON(origin + configPath) // nil: not served by serve.go
		if cfg != nil && cfg["emulator"] != true {
			id, _ := cfg["clientId"].(string)
			relay, _ := cfg["relay"].(string)
			if relay != "" {
				post(func() { presetRelay(id, relay, modeGoToRelay) })
			}
			return
		}
		info := getJSON(origin + emulatorInfo)
		if info == nil || info["emulator"] != true {
			return
		}
		id, _ := info["clientId"].(string)
		relay, _ := info["relay"].(string)
		post(func() {
			setValue("authorize-endpoint", origin+emulatorPrefix+"oauth/authorize")
			setValue("token-endpoint", origin+emulatorPrefix+"oauth/token")
			setValue("me-endpoint", origin+emulatorPrefix+"identity/v1/Users/me")
			if relay != "" {
				presetRelay(id, relay, modeEmuRelay)
				return
			}
			setValue("client-id", id)
			text("mode", modeEmulator)
		})
	}()
}

// presetRelay sets the client and the relay and picks the code flow.
func presetRelay(clientID, relay, mode string) {
	if clientID != "" {
		setValue("client-id", clientID)
	}
	setValue("relay", relay)
	setValue("flow", "code")
	text("mode", mode)
}

// getJSON GETs a JSON object from the page's server, or nil.
func getJSON(url string) map[string]any {
	r, err := browser.Fetch{}.RoundTrip(client.Background(), &client.Request{Method: "GET", URL: url})
	if err != nil || r.Status != 200 {
		return nil
	}
	m, err := wire.ParseObject(r.Body)
	if err != nil {
		return nil
	}
	return m
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
		browser.CleanAddressBar(here, false)
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
		refreshes = 0
		if cb.Redirect.Kind == oauth.KindToken {
			signedIn(cb.Redirect.Token, nil)
			shareToken("")
			return
		}
		var via *client.Client
		if c.Config().Relay != "" {
			via = c
			status("Exchanging the code through the relay…")
		} else {
			status("Exchanging the code…")
		}
		go func() {
			t, err := c.Exchange(client.Background(), cb)
			post(func() {
				if err != nil {
					if e, ok := err.(*oauth.Error); ok && via == nil && e.OAuth == "invalid_client" {
						e.Message += " (GoTo's token endpoint wants the client secret, which a page must never hold: " +
							"set the Relay field to a token relay, or sign in with the implicit flow)"
					}
					fail(err)
					return
				}
				signedIn(t, via)
				shareToken("")
			})
		}()
	}
}

// signedIn shows t; via is the client whose relay holds the refresh
// token, or nil.
func signedIn(t *oauth.Token, via *client.Client) {
	token = t
	session = via
	fromTab = false
	show("token-auto", false)
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
	switch {
	case session != nil:
		refresh = "held by the relay (HttpOnly cookie)"
	case t.RefreshToken != "":
		refresh = explain.Mask(t.RefreshToken)
	case fromTab:
		refresh = "none in this tab (the tab that signed in refreshes)"
	}
	text("token-refresh", refresh)
	el("refresh").(*dom.HTMLButtonElement).SetDisabled(session == nil && t.RefreshToken == "")
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
	switch {
	case left > 0:
		text("token-expiry", explain.Duration(left))
	case canRefresh():
		text("token-expiry", "expired — refreshing")
	default:
		text("token-expiry", "expired — sign in again")
	}
}

// canRefresh: this tab has a refresh path for the token.
func canRefresh() bool {
	return token != nil && (session != nil || token.RefreshToken != "")
}

// countdown ticks once a second: the expiry shown, and an automatic
// refresh when the token has less than autoRefreshLead left.
func countdown() {
	for range time.Tick(time.Second) {
		events <- func() {
			renderExpiry()
			maybeAutoRefresh()
		}
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

// refreshed marks a refresh done, for the tests.
func refreshed() {
	refreshes++
	setAttr("token-panel", "data-refreshed", "true")
	setAttr("token-panel", "data-refreshes", strconv.Itoa(refreshes))
}

func refreshToken() {
	if c := session; token != nil && c != nil {
		// Through the relay: it refreshes with its cookie; a 401 (no,
		// expired or cleared cookie) is Reauthenticate.
		status("Refreshing through the relay…")
		go func() {
			t, err := c.Refresh(client.Background(), "")
			post(func() {
				if err != nil {
					fail(err)
					if e, ok := err.(*oauth.Error); ok && e.Code == oauth.Reauthenticate {
						status("The relay holds no session any more: sign in again.")
					}
					return
				}
				signedIn(t, c)
				status("Refreshed through the relay; the refresh token stays in its HttpOnly cookie.")
				refreshed()
				shareToken("")
			})
		}()
		return
	}
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
			signedIn(t, nil)
			if t.RefreshToken == old {
				status("Refreshed; the refresh token was kept (GoTo returned none).")
			} else {
				status("Refreshed; GoTo rotated the refresh token.")
			}
			refreshed()
			shareToken("")
		})
	}()
}

// signOut ends the relay's session first, if there is one, and then
// forgets the token.
func signOut() {
	c := session
	if c == nil {
		signedOut("Signed out. The token was only in this page's memory.")
		broadcast(map[string]any{"type": "signout"})
		return
	}
	status("Signing out at the relay…")
	go func() {
		err := c.SignOut(client.Background())
		post(func() {
			if err != nil {
				fail(err) // still signed in: the relay may hold its cookie
				return
			}
			signedOut("Signed out. The relay cleared its cookie; the access token was only in this page's memory.")
			broadcast(map[string]any{"type": "signout"})
		})
	}()
}

func signedOut(msg string) {
	token, session, refreshes, fromTab = nil, nil, 0, false
	show("token-panel", false)
	show("token-auto", false)
	el("token-panel").RemoveAttribute("data-refreshed")
	el("token-panel").RemoveAttribute("data-refreshes")
	show("profile", false)
	clearError()
	status(msg)
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

// Across the demo's tabs (one origin, one browser profile): a Web Lock lets
// one tab refresh at a time, and a BroadcastChannel tells the others the new
// access token, asks for it when a tab opens and carries the sign-out.
// Neither a refresh token nor the client secret is ever sent on it, and no
// token is ever written to Web Storage.
const (
	channelName     = "gotoauth-demo"
	refreshLock     = "gotoauth-demo:refresh"
	autoRefreshLead = 60 * time.Second
)

// channel is the demo's BroadcastChannel, or undefined where there is none.
var channel = js.Undefined()

// tabMessage is what a tab hears on the channel.
type tabMessage struct {
	kind        string // "ask", "token" or "signout"
	token       oauth.Token
	relay       string // the relay that holds the refresh token, or ""
	clientID    string
	redirectURI string
	refreshedAt string // an automatic refresh's time, or ""
}

func openChannel() {
	ctor := js.Global().Get("BroadcastChannel")
	if ctor.Type() != js.TypeFunction {
		return
	}
	channel = ctor.New(channelName)
	channel.Set("onmessage", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if m, ok := readMessage(args[0].Get("data")); ok {
			post(func() { heard(m) })
		}
		return nil
	}))
}

// readMessage reads a message field by field, never trusting its shape.
func readMessage(d js.Value) (m tabMessage, ok bool) {
	if d.Type() != js.TypeObject {
		return m, false
	}
	str := func(name string) string {
		if v := d.Get(name); v.Type() == js.TypeString {
			return v.String()
		}
		return ""
	}
	num := func(name string) int64 {
		if v := d.Get(name); v.Type() == js.TypeNumber {
			return int64(v.Float())
		}
		return 0
	}
	m.kind = str("type")
	switch m.kind {
	case "ask", "signout":
		return m, true
	case "token":
	default:
		return m, false
	}
	t := oauth.Token{
		AccessToken: str("accessToken"), TokenType: "Bearer",
		ExpiresIn: num("expiresIn"), ExpiresAt: num("expiresAt"), HasExpiry: d.Get("hasExpiry").Truthy(),
		Principal: str("principal"), Legacy: str("legacy"),
	}
	if sc := d.Get("scope"); sc.InstanceOf(js.Global().Get("Array")) {
		for i := 0; i < sc.Length(); i++ {
			if v := sc.Index(i); v.Type() == js.TypeString {
				t.Scope = append(t.Scope, v.String())
			}
		}
	}
	if t.AccessToken == "" {
		return m, false
	}
	m.token = t
	m.relay, m.clientID, m.redirectURI, m.refreshedAt = str("relay"), str("clientId"), str("redirectUri"), str("refreshedAt")
	return m, true
}

func broadcast(m map[string]any) {
	if channel.Type() != js.TypeObject {
		return
	}
	channel.Call("postMessage", js.ValueOf(m))
}

// shareToken tells the other tabs this tab's token: never its refresh
// token, which a relay keeps in its cookie and a public client only here.
func shareToken(refreshedAt string) {
	t := token
	if t == nil {
		return
	}
	scope := make([]any, len(t.Scope))
	for i, sc := range t.Scope {
		scope[i] = sc
	}
	m := map[string]any{
		"type": "token", "accessToken": t.AccessToken, "expiresIn": t.ExpiresIn, "expiresAt": t.ExpiresAt,
		"hasExpiry": t.HasExpiry, "scope": scope, "principal": t.Principal, "legacy": t.Legacy,
		"refreshedAt": refreshedAt,
	}
	if c := session; c != nil {
		cfg := c.Config()
		m["relay"], m["clientId"], m["redirectUri"] = cfg.Relay, cfg.ClientID, cfg.RedirectURI
	}
	broadcast(m)
}

// heard acts on another tab's message.
func heard(m tabMessage) {
	switch m.kind {
	case "ask":
		if token != nil {
			shareToken("")
		}
	case "signout":
		if token != nil {
			signedOut("Signed out in another tab.")
		}
	case "token":
		if token != nil && (token.AccessToken == m.token.AccessToken || (m.refreshedAt == "" && m.token.ExpiresAt < token.ExpiresAt && token.HasExpiry)) {
			return // this tab's token, or an older answer to a tab's question
		}
		var via *client.Client
		if m.relay != "" {
			c, err := client.New(client.Config{
				ClientID: m.clientID, RedirectURI: m.redirectURI, Flow: "code", Relay: m.relay,
				Transport: browser.Fetch{},
			})
			if err == nil {
				via = c
			}
		}
		t := m.token
		signedIn(&t, via)
		fromTab = via == nil
		renderToken()
		if m.refreshedAt != "" {
			autoLine("Refreshed automatically in another tab at " + m.refreshedAt)
			status("Signed in; another tab refreshed the token.")
		} else {
			status("Signed in; the token came from another tab.")
		}
	}
}

func autoLine(s string) {
	text("token-auto", s)
	show("token-auto", true)
}

// maybeAutoRefresh starts an automatic refresh when the token has less
// than autoRefreshLead left and this tab can refresh it: one at a time in
// this tab, and in one tab only, the one that holds the Web Lock; the
// others skip this second and hear the new token on the channel.
func maybeAutoRefresh() {
	if refreshing || !canRefresh() || !token.HasExpiry || token.AccessToken == autoFailed {
		return
	}
	if time.Until(time.UnixMilli(token.ExpiresAt)) >= autoRefreshLead {
		return
	}
	refreshing = true
	locks := js.Global().Get("navigator").Get("locks")
	if locks.Type() != js.TypeObject || locks.Get("request").Type() != js.TypeFunction {
		autoRefresh(func() {})
		return
	}
	var granted js.Func
	granted = js.FuncOf(func(_ js.Value, args []js.Value) any {
		granted.Release()
		if len(args) == 0 || args[0].IsNull() {
			// Another tab holds the lock: it refreshes.
			post(func() { refreshing = false })
			return nil
		}
		// The lock is held until the returned promise settles.
		var resolve js.Value
		var executor js.Func
		executor = js.FuncOf(func(_ js.Value, a []js.Value) any {
			resolve = a[0]
			return nil
		})
		p := js.Global().Get("Promise").New(executor)
		executor.Release()
		post(func() { autoRefresh(func() { resolve.Invoke() }) })
		return p
	})
	locks.Call("request", refreshLock, map[string]any{"ifAvailable": true}, granted)
}

// autoRefresh refreshes, holding the lock, unless the token changed
// meanwhile (another tab's refresh reached this one); release lets the
// lock go once the other tabs have been told.
func autoRefresh(release func()) {
	finish := func() {
		refreshing = false
		release()
	}
	if !canRefresh() || !token.HasExpiry || time.Until(time.UnixMilli(token.ExpiresAt)) >= autoRefreshLead {
		finish()
		return
	}
	old := token
	c, viaRelay := session, session != nil
	if !viaRelay {
		var ok bool
		if c, ok = formClient(); !ok {
			autoFailed = old.AccessToken
			finish()
			return
		}
	}
	status("Refreshing automatically…")
	go func() {
		t, err := c.Refresh(client.Background(), old.RefreshToken) // "" through the relay
		post(func() {
			defer finish()
			if token != old {
				return // signed out, or another token, meanwhile
			}
			if err != nil {
				autoFailed = old.AccessToken
				fail(err)
				if e, ok := err.(*oauth.Error); ok && e.Code == oauth.Reauthenticate {
					status("The relay holds no session any more: sign in again.")
				}
				return
			}
			if viaRelay {
				signedIn(t, c)
			} else {
				signedIn(t, nil)
			}
			at := clock()
			autoLine("Refreshed automatically at " + at)
			status("Refreshed automatically.")
			refreshed()
			shareToken(at)
		})
	}()
}

// clock is the local time of day, HH:MM:SS, as the browser tells it.
func clock() string {
	d := js.Global().Get("Date").New()
	two := func(m string) string {
		n := d.Call(m).Int()
		return string(rune('0'+n/10)) + string(rune('0'+n%10))
	}
	return two("getHours") + ":" + two("getMinutes") + ":" + two("getSeconds")
}
