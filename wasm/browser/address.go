//go:build js && wasm

package browser

import (
	"strings"

	"github.com/hack-pad/safejs"

	"gotoauth/wasm/form"
	"gotoauth/wasm/oauth"
)

// CurrentAddress is location.href in a
func CurrentAddress() (string, error) {
	loc, err := safejs.Global().Get("location")
	if err != nil || TypeOf(loc) != safejs.TypeObject || loc.IsNull() {
		return "", invalid("handleRedirect needs a URL outside a browser")
	}
	href, err := loc.Get("href")
	if err != nil {
		return "", invalid("location.href could not be read")
	}
	return String(href, "location.href", oauth.MaxURLLength)
}

// oauthParams are removed from the address bar after a redirect.
var oauthParams = map[string]bool{
	"code": true, "state": true, "error": true, "error_description": true, "error_uri": true,
	"access_token": true, "token_type": true, "type": true, "expires_in": true, "scope": true,
	"principal": true, "username": true, "refresh_token": true, "session_state": true, "iss": true,
}

// CleanAddressBar replaces the current history entry with the address
// minus the authorization response, so no code or token stays in the
// address bar, history, or a shared link. It only acts when raw is the
// current address.
func CleanAddressBar(raw string) {
	cur, err := CurrentAddress()
	if err != nil || cur != raw {
		return
	}
	u, err := form.SplitURL(raw)
	if err != nil {
		return
	}
	changed := false
	if u.HasQuery {
		if q, err := form.Parse(u.Query); err == nil {
			kept := q[:0:0]
			for _, p := range q {
				if !oauthParams[p.Name] {
					kept = append(kept, p)
				}
			}
			if len(kept) != len(q) {
				changed = true
				u.Query, u.HasQuery = kept.Encode(), len(kept) > 0
			}
		} else {
			u.Query, u.HasQuery, changed = "", false, true
		}
	}
	if u.HasFragment && (strings.Contains(u.Fragment, "access_token=") || strings.Contains(u.Fragment, "code=") || strings.Contains(u.Fragment, "error=") || strings.Contains(u.Fragment, "state=")) {
		u.Fragment, u.HasFragment, changed = "", false, true
	}
	if !changed {
		return
	}
	history, err := safejs.Global().Get("history")
	if err != nil || TypeOf(history) != safejs.TypeObject || history.IsNull() {
		return
	}
	state, _ := history.Get("state")
	_, _ = history.Call("replaceState", state, "", u.String())
}
