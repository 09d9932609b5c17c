//go:build js && wasm

package main

import (
	"strings"

	"github.com/hack-pad/safejs"

	"gotoauth/wasm/form"
)

// The sign-in form: which client, flow, relay and endpoints. The page keeps
// the form (never a token) in sessionStorage across the redirect, and
// otherwise presets it from what its server says.

// settingsKey keeps the demo's form across the redirect.
const settingsKey = "gotoauth.demo.settings"

// serverConfig is what serve.go tells a page about how to sign in there
// (its pageConfig, at /serve-config.json).
const serverConfig = "/serve-config.json"

// fieldIDs are the form's fields, the only names settings hold.
var fieldIDs = []string{"client-id", "redirect-uri", "scopes", "flow", "relay", "authorize-endpoint", "token-endpoint", "me-endpoint"}

// settings are the form's fields.
type settings struct{ form.Values }

func readSettings() settings {
	v := form.Values{}
	for _, id := range fieldIDs {
		v = append(v, form.Param{Name: id, Value: value(id)})
	}
	return settings{v}
}

func (s settings) get(id string) string { v, _ := s.Get(id); return v }

// config is the gotoauth.client config the settings describe (ClientConfig
// in gotoauth.d.ts). An empty field is left out, so that the library's
// default applies. The relay is the code flow's backend half: the implicit
// flow leaves it out; with it, the token endpoint is the relay's business.
func (s settings) config() map[string]any {
	cfg := map[string]any{}
	set := func(name, id string) {
		if v := s.get(id); v != "" {
			cfg[name] = v
		}
	}
	set("clientId", "client-id")
	set("redirectUri", "redirect-uri")
	set("scope", "scopes")
	set("flow", "flow")
	set("authorizeEndpoint", "authorize-endpoint")
	set("meEndpoint", "me-endpoint")
	if s.get("relay") != "" && s.get("flow") == "code" {
		set("relay", "relay")
	} else {
		set("tokenEndpoint", "token-endpoint")
	}
	return cfg
}

// save keeps the settings across the redirect.
func (s settings) save() {
	if store := get(global, "sessionStorage"); store.Type() == safejs.TypeObject {
		_, _ = store.Call("setItem", settingsKey, s.Encode())
	}
}

// Mode lines: how the page is served, and so how it signs in.
const (
	modeGoTo      = "Endpoints are GoTo's (the library's defaults): enter your client id. Without a token relay a page signs in with the implicit flow: GoTo's token endpoint wants the client secret, which a page must never hold."
	modeGoToRelay = "Served with the token relay for your GoTo client: the code flow goes through the relay; the page never sees the secret or the refresh token."
	modeEmulator  = "Served with the local GoTo emulator: endpoints are preset to it. Without the token relay (serve.go -relay) the page signs in with the implicit flow, as against GoTo."
	modeEmuRelay  = "Served with the local GoTo emulator and the token relay: the code flow goes through the relay; the page never sees the secret or the refresh token."
)

// presetFields fills the form: the saved settings after a redirect, else
// what the page's server says (serve.go's /serve-config.json), else the
// library's defaults (GoTo's endpoints) and the implicit flow. It blocks on
// the server's answer: call it on a goroutine; it posts its changes.
func presetFields() {
	loc := window.Location()
	origin := loc.Origin()
	if saved, ok := savedSettings(); ok {
		post(func() {
			for _, id := range fieldIDs {
				if val, ok := saved.Get(id); ok {
					setValue(id, val)
				}
			}
			through := ""
			if value("relay") != "" {
				through = " and the token relay"
			}
			text("mode", "Using the endpoints"+through+" entered before the redirect.")
		})
		return
	}
	cfg, _ := fetchJSON(serverConfig) // none: not served by serve.go
	clientID, relay := str(cfg, "clientId"), str(cfg, "relay")
	emulator := isTrue(get(cfg, "emulator"))
	endpoints := map[string]string{}
	if emulator {
		// Paths on this server: the page's origin makes them URLs.
		for id, name := range map[string]string{"authorize-endpoint": "authorizeEndpoint", "token-endpoint": "tokenEndpoint", "me-endpoint": "meEndpoint"} {
			if p := str(cfg, name); strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") {
				endpoints[id] = origin + p
			}
		}
	}
	post(func() {
		setValue("redirect-uri", origin+loc.Pathname())
		setValue("scopes", "identity:scim.me")
		setValue("flow", "implicit")
		setValue("client-id", clientID)
		setValue("relay", relay)
		for id, url := range endpoints {
			setValue(id, url)
		}
		if relay != "" {
			setValue("flow", "code")
		}
		switch {
		case emulator && relay != "":
			text("mode", modeEmuRelay)
		case emulator:
			text("mode", modeEmulator)
		case relay != "":
			text("mode", modeGoToRelay)
		default:
			text("mode", modeGoTo)
		}
	})
}

// savedSettings are the settings kept across the redirect, read field by
// field: a malformed value is ignored as a whole.
func savedSettings() (form.Values, bool) {
	store := get(global, "sessionStorage")
	if store.Type() != safejs.TypeObject {
		return nil, false
	}
	item, err := store.Call("getItem", settingsKey)
	if err != nil || item.Type() != safejs.TypeString {
		return nil, false
	}
	raw, _ := item.String()
	v, err := form.Parse(raw)
	if err != nil {
		return nil, false
	}
	return v, true
}

// fetchJSON GETs a JSON object from the page's server.
func fetchJSON(path string) (safejs.Value, error) {
	resp, err := call(global, "fetch", path)
	if err != nil {
		return resp, err
	}
	if !isTrue(get(resp, "ok")) {
		return safejs.Undefined(), &apiError{Code: "http_error", Message: path}
	}
	return call(resp, "json")
}
