package oauth

import (
	"strings"

	"gotoauth/wasm/form"
)

// This file is the one home of the names that make a URL an authorization
// response. ParseRedirect and the address-bar cleaning take any of them as
// part of one (CarriesResponse: a stray token is cleaned away all the
// same); the loader's client.isRedirect, which tells an app whether to
// call handleRedirect, asks for a state and a code, token or error, by
// ResponseState and ResponseKinds from web/gotoauth-contract.js, generated
// from them (wasm/cmd/contract).

// responseParams are the parameters an authorization response may carry
// (RFC 6749 §4.1.2, §4.2.2, §4.1.2.1; RFC 9207's iss; OpenID's
// session_state; GoToConnect's type and username). They are removed from
// the address bar after a redirect.
var responseParams = [...]string{
	"code", "state", "error", "error_description", "error_uri",
	"access_token", "token_type", "type", "expires_in", "scope",
	"principal", "username", "refresh_token", "session_state", "iss",
}

// The parameters that make a query or fragment an authorization response:
// its state, and what it answers with (RFC 6749 §4.1.2, §4.2.2, §4.1.2.1).
const ResponseState = "state"

var ResponseKinds = [...]string{"code", "access_token", "error"}

// CarriesResponse reports whether a query or fragment (without its '?' or
// '#') holds any part of an authorization response: a code, a token, an
// error or a state. A single-page app's own route such as "#/settings"
// does not.
func CarriesResponse(part string) bool {
	if hasParam(part, ResponseState) {
		return true
	}
	for _, name := range ResponseKinds {
		if hasParam(part, name) {
			return true
		}
	}
	return false
}

// hasParam reports whether the query or fragment part has a name= pair.
func hasParam(part, name string) bool {
	return len(part) > len(name) && part[len(name)] == '=' && part[:len(name)] == name ||
		strings.Contains(part, "&"+name+"=")
}

func isResponseParam(name string) bool {
	for _, p := range responseParams {
		if p == name {
			return true
		}
	}
	return false
}

// StripResponse returns the URL without its authorization response, so
// that no code or token stays in the address bar, the history or a shared
// link: the response's parameters leave the query (the app's own stay),
// and a fragment that carries a response goes whole. A query too malformed
// to read goes whole too. changed is false when there was nothing to
// remove.
func StripResponse(raw string) (stripped string, changed bool) {
	u, err := form.SplitURL(raw)
	if err != nil {
		return raw, false
	}
	if u.HasQuery && CarriesResponse(u.Query) {
		if q, err := form.Parse(u.Query); err == nil {
			kept := q[:0:0]
			for _, p := range q {
				if !isResponseParam(p.Name) {
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
	if u.HasFragment && CarriesResponse(u.Fragment) {
		u.Fragment, u.HasFragment, changed = "", false, true
	}
	if !changed {
		return raw, false
	}
	return u.String(), true
}
