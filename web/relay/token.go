package relay

import (
	"net/http"

	"gotoauth/pkce"
	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/relayapi"
	"gotoauth/web/oauthhttp"
)

// token redeems an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.5) for
// the page: form code, redirect_uri and code_verifier (optional, sent when
// given), other parameters ignored. GoTo's answer reaches the page in the
// library's token shape (pageToken) without its refresh_token, which goes
// into the sealed cookie instead. An answer
// without a refresh token clears any refresh cookie the browser still holds
// from an earlier sign-in, which may have been another user's. Each
// redeemed code starts a sign-in with an id of its own (seal.go).
func (rl *Relay) token(w http.ResponseWriter, r *http.Request, origin string, body []byte) {
	form, desc := oauthhttp.ParseForm(r.Header.Get("Content-Type"), body)
	if desc != "" {
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_request", desc)
		return
	}
	code, redirectURI := form.Get("code"), form.Get("redirect_uri")
	verifier, hasVerifier := form.Get("code_verifier"), form.Has("code_verifier")
	switch {
	case code == "":
		desc = "Missing code."
	case len(code) > limits.MaxTokenLength || oauth.HasControl(code):
		desc = "The code is malformed."
	case redirectURI == "":
		desc = "Missing redirect_uri."
	case oauth.CheckRedirectURI(redirectURI) != nil:
		desc = "The redirect_uri is not an absolute URL without a fragment (RFC 6749 §3.1.2)."
	case hasVerifier && !pkce.ValidVerifier(verifier):
		desc = "code_verifier must be " + pkce.VerifierRule() + "."
	}
	if desc != "" {
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_request", desc)
		return
	}
	params := [][2]string{
		{"grant_type", relayapi.GrantType(relayapi.TokenPath)},
		{"code", code},
		{"redirect_uri", redirectURI},
	}
	if hasVerifier {
		params = append(params, [2]string{"code_verifier", verifier})
	}
	out := rl.post(params)
	cookie := cookieAction{op: keepCookie}
	switch {
	case out.issued && out.refresh != "":
		cookie = rl.sealCookie(out.refresh, newSignIn(), rl.now())
	case out.issued && len(r.CookiesNamed(CookieName)) > 0:
		cookie = cookieAction{op: clearCookie}
	}
	rl.apply(w, origin, cookie)
	answer := out.body
	if out.issued {
		answer = pageTokenOf(out.token)
	}
	oauthhttp.WriteJSON(w, out.status, answer)
}
