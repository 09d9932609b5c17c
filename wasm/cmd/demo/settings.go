//go:build js && wasm

package main

import (
	"strings"

	"github.com/hack-pad/safejs"
)

// The sign-in form: which client, flow, relay and endpoints. The page keeps
// the form (never a token) in sessionStorage across the redirect, and
// otherwise presets it from what its server says (serve.go's
// /serve-config.json), else from the library's defaults.

const settingsKey = "gotoauth.demo.settings"

// fields are the form's fields, the only names settings hold.
var fields = []string{"client-id", "redirect-uri", "scopes", "flow", "relay", "authorize-endpoint", "token-endpoint", "me-endpoint"}

// settings are the form's fields by id.
type settings map[string]string

func readSettings() settings {
	s := settings{}
	for _, id := range fields {
		s[id] = value(id)
	}
	return s
}

// config is the gotoauth.client config the settings describe (ClientConfig
// in gotoauth.d.ts). An empty field is left out, so that the library's
// default applies. The relay is the code flow's backend half: the implicit
// flow leaves it out; with it, the token endpoint is the relay's business.
func (s settings) config() map[string]any {
	cfg := map[string]any{}
	for name, id := range map[string]string{"clientId": "client-id", "redirectUri": "redirect-uri", "scope": "scopes",
		"flow": "flow", "authorizeEndpoint": "authorize-endpoint", "meEndpoint": "me-endpoint"} {
		if s[id] != "" {
			cfg[name] = s[id]
		}
	}
	if s["relay"] != "" && s["flow"] == "code" {
		cfg["relay"] = s["relay"]
	} else if s["token-endpoint"] != "" {
		cfg["tokenEndpoint"] = s["token-endpoint"]
	}
	return cfg
}

// save keeps the settings across the redirect, as JSON.
func (s settings) save() {
	m := map[string]any{}
	for id, v := range s {
		m[id] = v
	}
	if text, err := call(jsGlobal("JSON"), "stringify", m); err == nil {
		_, _ = jsGlobal("sessionStorage").Call("setItem", settingsKey, text)
	}
}

// loadSettings fills the form: with the settings kept across the redirect,
// else with what the page's server says, else with the library's defaults
// and the implicit flow. Kept settings are read field by field, and only
// strings: anything else is ignored, a malformed whole is.
func loadSettings() settings {
	loc := window.Location()
	setValue("redirect-uri", loc.Origin()+loc.Pathname())
	setValue("scopes", "identity:scim.me")
	setValue("flow", "implicit")
	if raw, _ := call(jsGlobal("sessionStorage"), "getItem", settingsKey); raw.Type() == safejs.TypeString {
		if saved, err := call(jsGlobal("JSON"), "parse", raw); err == nil && saved.Type() == safejs.TypeObject {
			for _, id := range fields {
				if get(saved, id).Type() == safejs.TypeString {
					setValue(id, str(saved, id))
				}
			}
			text("mode", "Using the settings entered before the redirect.")
			return readSettings()
		}
	}
	cfg := serverConfig()
	relay, emulator := str(cfg, "relay"), isTrue(get(cfg, "emulator"))
	setValue("client-id", str(cfg, "clientId"))
	if relay != "" {
		setValue("relay", relay)
		setValue("flow", "code")
	}
	if emulator {
		// Paths on this server: the page's origin makes them URLs.
		for id, name := range map[string]string{"authorize-endpoint": "authorizeEndpoint", "token-endpoint": "tokenEndpoint", "me-endpoint": "meEndpoint"} {
			if p := str(cfg, name); strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") {
				setValue(id, loc.Origin()+p)
			}
		}
	}
	switch {
	case emulator && relay != "":
		text("mode", "Served with the local GoTo emulator and the token relay: the code flow goes through the relay; the page never sees the secret or the refresh token.")
	case emulator:
		text("mode", "Served with the local GoTo emulator: endpoints are preset to it. Without the token relay (serve.go -relay) the page signs in with the implicit flow, as against GoTo.")
	case relay != "":
		text("mode", "Served with the token relay for your GoTo client: the code flow goes through the relay; the page never sees the secret or the refresh token.")
	default:
		text("mode", "Endpoints are GoTo's (the library's defaults): enter your client id. Without a token relay a page signs in with the implicit flow: GoTo's token endpoint wants the client secret, which a page must never hold.")
	}
	return readSettings()
}

// serverConfig is what serve.go says about signing in on this server, or
// undefined when the page is served otherwise.
func serverConfig() safejs.Value {
	resp, err := call(safejs.Global(), "fetch", "/serve-config.json")
	if err != nil || !isTrue(get(resp, "ok")) {
		return safejs.Undefined()
	}
	cfg, _ := call(resp, "json")
	return cfg
}

func jsGlobal(name string) safejs.Value {
	v, _ := safejs.Global().Get(name)
	return v
}
