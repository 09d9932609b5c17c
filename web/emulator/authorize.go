package emulator

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"gotoauth/pkce"
)

// authorize validates an authorization request and shows the consent page.
// client_id and redirect_uri are checked first: while either is in doubt the
// user must not be redirected anywhere (RFC 6749 §4.1.2.1), so those errors
// are an HTML page. Every later error goes back to the client.
func (e *Emulator) authorize(w http.ResponseWriter, r *http.Request, gen api) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD")
		return
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		errorPage(w, "The request's query string is malformed.")
		return
	}
	if len(q["client_id"]) != 1 || q.Get("client_id") == "" {
		errorPage(w, "The request must carry exactly one client_id.")
		return
	}
	client, ok := e.clients[q.Get("client_id")]
	if !ok {
		errorPage(w, "Unknown client_id.")
		return
	}
	redirectURI, given, ok := resolveRedirect(client, q["redirect_uri"])
	if !ok {
		errorPage(w, "The redirect_uri is missing or not registered for this client.")
		return
	}

	responseType := q.Get("response_type")
	state, hasState := q.Get("state"), q.Has("state")
	fail := func(code, desc string) {
		redirectTo(w, http.StatusFound, redirectURI, responseType == "token", errorParams(code, desc, state, hasState))
	}
	for k, v := range q {
		if len(v) > 1 {
			fail("invalid_request", "Parameter "+k+" is repeated.")
			return
		}
	}
	switch responseType {
	case "code", "token":
	case "":
		fail("invalid_request", "Missing response_type.")
		return
	default:
		fail("unsupported_response_type", "response_type must be code or token.")
		return
	}
	scope, ok := parseScope(q.Get("scope"))
	if !ok {
		fail("invalid_scope", "The scope is malformed.")
		return
	}
	req := &authRequest{
		clientID:      client.ID,
		redirectURI:   redirectURI,
		redirectGiven: given,
		responseType:  responseType,
		scope:         scope,
		state:         state,
		hasState:      hasState,
		gen:           gen,
		expires:       e.now().Add(requestLifetime),
	}
	if responseType == "code" {
		challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
		if method != "" && method != "S256" && method != "plain" {
			fail("invalid_request", "code_challenge_method must be S256 or plain.")
			return
		}
		switch {
		case challenge == "" && method != "":
			fail("invalid_request", "code_challenge_method without code_challenge.")
			return
		case challenge == "" && client.Secret == "":
			fail("invalid_request", "PKCE (code_challenge) is required for public clients.")
			return
		case challenge != "" && !pkce.ValidVerifier(challenge):
			fail("invalid_request", "code_challenge must be "+pkce.VerifierRule()+".")
			return
		}
		if challenge != "" && method == "" {
			method = "plain" // RFC 7636 §4.3
		}
		req.challenge, req.method = challenge, method
	}

	id := randomValue()
	e.mu.Lock()
	put(e.pending, id, req, maxPending, e.now())
	e.mu.Unlock()

	// The form action is relative so that it works under any mount prefix.
	action := "authorize/decision"
	if gen == goToConnectAPI {
		action = "../../oauth/authorize/decision"
	}
	flow := "authorization code"
	if responseType == "token" {
		flow = "implicit"
	}
	htmlHeaders(w, redirectOrigin(redirectURI))
	w.WriteHeader(http.StatusOK)
	consentPage.Execute(w, consentData{
		ClientID:    client.ID,
		Scopes:      scope,
		RedirectURI: redirectURI,
		User:        e.user.Email,
		Flow:        flow,
		Action:      action,
		RequestID:   id,
	})
}

// decision consumes a pending authorization request and answers the client.
func (e *Emulator) decision(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	form, status, desc := readForm(w, r)
	if status != 0 {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		htmlHeaders(w, "")
		w.WriteHeader(status)
		errorTemplate.Execute(w, desc)
		return
	}
	choice := form.Get("decision")
	if choice != "allow" && choice != "deny" {
		errorPage(w, "decision must be allow or deny.")
		return
	}
	now := e.now()
	e.mu.Lock()
	req := e.pending[form.Get("request_id")]
	delete(e.pending, form.Get("request_id"))
	e.mu.Unlock()
	if req == nil || !now.Before(req.expires) {
		errorPage(w, "This authorization request is unknown, used or expired. Start again from the application.")
		return
	}
	fragment := req.responseType == "token"
	if choice == "deny" {
		redirectTo(w, http.StatusSeeOther, req.redirectURI, fragment,
			errorParams("access_denied", "The resource owner denied the request.", req.state, req.hasState))
		return
	}

	var p params
	if !fragment {
		code := randomValue()
		e.mu.Lock()
		put(e.codes, code, &authCode{
			clientID:      req.clientID,
			redirectURI:   req.redirectURI,
			redirectGiven: req.redirectGiven,
			scope:         req.scope,
			challenge:     req.challenge,
			method:        req.method,
			grant:         randomValue(),
			expires:       now.Add(codeLifetime),
			keepUntil:     now.Add(usedCodeRetention),
		}, maxCodes, now)
		e.mu.Unlock()
		p = params{{"code", code}}
	} else {
		prefix := ""
		if req.gen == goToConnectAPI {
			prefix = legacyToken
		}
		at := prefix + randomValue()
		e.mu.Lock()
		put(e.access, at, &token{clientID: req.clientID, scope: req.scope, expires: now.Add(accessLifetime)}, maxTokens, now)
		e.mu.Unlock()
		if req.gen == goToConnectAPI {
			// GoToConnect: type, milliseconds, username, no scope.
			p = params{
				{"access_token", at},
				{"type", "bearer"},
				{"expires_in", strconv.FormatInt(accessLifetime.Milliseconds(), 10)},
				{"username", e.user.Email},
			}
		} else {
			p = params{
				{"access_token", at},
				{"token_type", "Bearer"},
				{"expires_in", strconv.Itoa(int(accessLifetime.Seconds()))},
				{"principal", e.user.Email},
				{"scope", strings.Join(req.scope, " ")},
			}
		}
	}
	if req.hasState {
		p = append(p, [2]string{"state", req.state})
	}
	redirectTo(w, http.StatusSeeOther, req.redirectURI, fragment, p)
}
