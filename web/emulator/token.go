package emulator

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gotoauth/pkce"
	"gotoauth/web/oauthhttp"
)

// tokenResponse is today's token response shape.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
	Principal    string `json:"principal"`
}

// legacyTokenResponse is the GoToConnect (Jive) shape.
type legacyTokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Username     string `json:"username"`
}

// token implements the token endpoint of both generations; gen selects
// GoToConnect's response shape and token prefix.
func (e *Emulator) token(w http.ResponseWriter, r *http.Request, gen api) {
	w.Header().Set("Pragma", "no-cache")
	form, ok := postedForm(w, r)
	if !ok {
		return
	}
	e.stats.count(form.Get("grant_type"))
	client, ok := e.authenticate(w, r, form)
	if !ok {
		return
	}
	switch form.Get("grant_type") {
	case "authorization_code":
		e.codeGrant(w, form, client, gen)
	case "refresh_token":
		e.refreshGrant(w, form, client, gen)
	case "password":
		oauthhttp.WriteError(w, http.StatusBadRequest, "unsupported_grant_type",
			"The password grant is not supported; use the authorization code flow with PKCE.")
	case "":
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_request", "Missing grant_type.")
	default:
		oauthhttp.WriteError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant_type.")
	}
}

// authenticate identifies the client. Confidential clients must use HTTP
// Basic, as every GoTo guide does; public clients name themselves with
// client_id in the body and present no credentials at all.
func (e *Emulator) authenticate(w http.ResponseWriter, r *http.Request, form url.Values) (Client, bool) {
	fail := func() (Client, bool) {
		w.Header().Set("WWW-Authenticate", `Basic realm="emulator"`)
		oauthhttp.WriteError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return Client{}, false
	}
	if _, hasAuth := r.Header["Authorization"]; hasAuth {
		id, secret, ok := r.BasicAuth()
		if !ok {
			return fail()
		}
		if form.Has("client_secret") {
			return fail() // two authentication methods (RFC 6749 §2.3)
		}
		// GoTo's guides send both as they are ("How to obtain an access
		// token"), not form-encoded as RFC 6749 §2.3.1 would: only GoTo's
		// form is accepted, so a client that encodes is caught here.
		c, ok := e.clients[id]
		if !ok || c.Secret == "" {
			return fail()
		}
		if !secretMatches(c.Secret, secret) {
			return fail()
		}
		if form.Has("client_id") && form.Get("client_id") != c.ID {
			return fail()
		}
		return c, true
	}
	c, ok := e.clients[form.Get("client_id")]
	if !ok || c.Secret != "" || form.Has("client_secret") {
		return fail()
	}
	return c, true
}

// secretMatches compares a presented client secret with want in constant
// time.
func secretMatches(want, got string) bool {
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// codeGrant redeems an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6).
func (e *Emulator) codeGrant(w http.ResponseWriter, form url.Values, client Client, gen api) {
	code := form.Get("code")
	if code == "" {
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_request", "Missing code.")
		return
	}
	verifier, hasVerifier := form.Get("code_verifier"), form.Has("code_verifier")
	if hasVerifier && !pkce.ValidVerifier(verifier) {
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_request", "code_verifier must be "+pkce.VerifierRule()+".")
		return
	}
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.codes[code]
	if c == nil || !now.Before(c.keepUntil) {
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_grant", "The authorization code is invalid.")
		return
	}
	if c.used {
		// RFC 6749 §4.1.2: a replayed code revokes what it produced.
		e.revokeGrant(c.grant)
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_grant", "The authorization code was already used.")
		return
	}
	// Any attempt burns the code, so it cannot be probed repeatedly.
	c.used = true
	switch {
	case !now.Before(c.expires):
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_grant", "The authorization code expired.")
	case c.clientID != client.ID:
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_grant", "The authorization code was issued to another client.")
	case (c.redirectGiven || form.Has("redirect_uri")) && form.Get("redirect_uri") != c.redirectURI:
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request.")
	case c.challenge == "" && hasVerifier:
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_grant", "code_verifier sent, but the authorization request had no code_challenge.")
	case c.challenge != "" && !hasVerifier:
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_grant", "Missing code_verifier.")
	case c.challenge != "" && !pkceMatches(c.method, c.challenge, verifier):
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge.")
	default:
		at, rt := e.issue(client.ID, c.scope, c.grant, gen, now)
		e.writeTokens(w, gen, at, rt, rt, c.scope)
	}
}

// refreshGrant exchanges a refresh token (RFC 6749 §6), copying GoTo's
// rotation rules.
func (e *Emulator) refreshGrant(w http.ResponseWriter, form url.Values, client Client, gen api) {
	rt := form.Get("refresh_token")
	if rt == "" {
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_request", "Missing refresh_token.")
		return
	}
	if gen != goToConnectAPI && strings.HasPrefix(rt, legacyToken) {
		// What GoTo answers for a GoToConnect refresh token ("Migrating
		// from GoToConnect (auth.jive.com) to LogMeIn Authentication API").
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_request", "unsupported.jwt")
		return
	}
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.refresh[rt]
	if old == nil || !now.Before(old.expires) || old.clientID != client.ID {
		oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_grant", "The refresh token is invalid or expired.")
		return
	}
	scope := old.scope
	if form.Has("scope") {
		req, ok := parseScope(form.Get("scope"))
		if !ok || !subset(req, old.scope) {
			oauthhttp.WriteError(w, http.StatusBadRequest, "invalid_scope", "The scope exceeds the original grant.")
			return
		}
		scope = req
	}
	prefix := ""
	if gen == goToConnectAPI {
		prefix = legacyToken
	}
	at := prefix + randomValue()
	put(e.access, at, &token{clientID: client.ID, scope: scope, grant: old.grant, expires: now.Add(accessLifetime)}, maxTokens, now)

	// GoTo returns a refresh token only when it issued a new one, which it
	// does when the old one is about to expire ("Migrating to New Token
	// Retrieval with authentication.logmeininc.com").
	newRT := ""
	if old.expires.Sub(now) < rotateWindow {
		newRT = prefix + randomValue()
		delete(e.refresh, rt)
		put(e.refresh, newRT, &token{clientID: client.ID, scope: old.scope, grant: old.grant, expires: now.Add(refreshLifetime)}, maxTokens, now)
	}
	legacyRT := newRT
	if legacyRT == "" {
		legacyRT = rt // GoToConnect always answered with a refresh token
	}
	e.writeTokens(w, gen, at, newRT, legacyRT, scope)
}

// issue creates an access and a refresh token for a grant. Callers hold e.mu.
func (e *Emulator) issue(clientID string, scope []string, grant string, gen api, now time.Time) (at, rt string) {
	prefix := ""
	if gen == goToConnectAPI {
		prefix = legacyToken
	}
	at, rt = prefix+randomValue(), prefix+randomValue()
	put(e.access, at, &token{clientID: clientID, scope: scope, grant: grant, expires: now.Add(accessLifetime)}, maxTokens, now)
	put(e.refresh, rt, &token{clientID: clientID, scope: scope, grant: grant, expires: now.Add(refreshLifetime)}, maxTokens, now)
	return at, rt
}

// revokeGrant deletes every token descending from one authorization code.
// Callers hold e.mu.
func (e *Emulator) revokeGrant(grant string) {
	if grant == "" {
		return
	}
	for k, t := range e.access {
		if t.grant == grant {
			delete(e.access, k)
		}
	}
	for k, t := range e.refresh {
		if t.grant == grant {
			delete(e.refresh, k)
		}
	}
}

// writeTokens answers a token request in today's or the GoToConnect shape.
// rt may be empty (no rotation); legacyRT is what the GoToConnect shape,
// which always carries a refresh token, sends instead.
func (e *Emulator) writeTokens(w http.ResponseWriter, gen api, at, rt, legacyRT string, scope []string) {
	if gen == goToConnectAPI {
		writeJSON(w, http.StatusOK, legacyTokenResponse{
			AccessToken:  at,
			RefreshToken: legacyRT,
			TokenType:    "bearer",
			ExpiresIn:    accessLifetime.Milliseconds(),
			Username:     e.user.Email,
		})
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken:  at,
		TokenType:    "Bearer",
		RefreshToken: rt,
		ExpiresIn:    int64(accessLifetime.Seconds()),
		Scope:        strings.Join(scope, " "),
		Principal:    e.user.Email,
	})
}
