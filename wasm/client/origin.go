package client

import (
	"gotoauth/wasm/form"
	"gotoauth/wasm/options"
)

// A sign-in's pending request is kept in the storage of the origin it
// started on (sessionStorage by default), and http://localhost:5173 and
// http://127.0.0.1:5173 are two origins: a redirect to one of them, for a
// sign-in started on the other, finds no state. elsewhere is what an
// unknown state's message leads with when a redirect came to a loopback
// origin that another loopback name makes a different one; "" otherwise.
// (A page elsewhere cannot be named: the redirect's page is all there is.)
func elsewhere(redirect string) string {
	r, _ := form.SplitURL(redirect)
	other := "localhost"
	if r.Host == "localhost" {
		other = "127.0.0.1"
	} else if r.Host != "127.0.0.1" && r.Host != "[::1]" {
		return ""
	}
	return "the redirect came to " + r.Host + ", where no sign-in was started in this tab: if it started on " + other + ", another origin with storage of its own, open the app on " + r.Host + " (the host of " + options.RedirectURI + ") and sign in there"
}
