//go:build js && wasm

package browser

import (
	"github.com/hack-pad/safejs"

	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
)

// CurrentAddress is location.href in a page.
func CurrentAddress() (string, error) {
	loc, err := Get(safejs.Global(), "location")
	if err != nil || TypeOf(loc) != safejs.TypeObject || loc.IsNull() {
		return "", oauth.Invalid("handleRedirect needs a URL outside a browser")
	}
	href, err := Get(loc, "href")
	if err != nil {
		return "", oauth.Invalid("location.href could not be read")
	}
	return String(href, "location.href", limits.MaxURLLength)
}

// CleanAddressBar replaces the current history entry with the address
// minus its authorization response (oauth.StripResponse), so no code or
// token stays in the address bar, the history, or a shared link. It acts
// only when raw is the current address: current says the caller read it
// there; otherwise it is read once to compare.
func CleanAddressBar(raw string, current bool) {
	if !current {
		if cur, err := CurrentAddress(); err != nil || cur != raw {
			return
		}
	}
	clean, changed := oauth.StripResponse(raw)
	if !changed {
		return
	}
	history, err := Get(safejs.Global(), "history")
	if err != nil || TypeOf(history) != safejs.TypeObject || history.IsNull() {
		return
	}
	state, _ := Get(history, "state")
	_, _ = history.Call("replaceState", state, "", clean)
}
