package oauth

import (
	"time"

	"gotoauth/wasm/form"
	"gotoauth/wasm/limits"
)

// Redirect kinds.
const (
	KindCode  = "code"
	KindToken = "token"
	KindError = "error"
)

// Redirect is a parsed authorization response (RFC 6749 §4.1.2, §4.2.2).
type Redirect struct {
	Kind  string
	State string // empty when the response had none
	Code  string
	Token *Token
	Err   *Error // Kind == KindError: OAuth, Description, URI
	// InFragment is true when the response came in the fragment.
	InFragment bool
}

// ParseRedirect reads the authorization response from the redirect URL:
// the query for codes and errors (§4.1.2), the fragment for tokens and errors
// (§4.2.2). A code in the fragment (response_mode=fragment) is accepted; a
// token in the query is refused, since the query reaches server logs.
func ParseRedirect(raw string, now time.Time) (*Redirect, error) {
	return ParseRedirectClock(raw, func() time.Time { return now })
}

// ParseRedirectClock is ParseRedirect reading the clock only when a token
// needs its expiry computed.
func ParseRedirectClock(raw string, now func() time.Time) (*Redirect, error) {
	if len(raw) > limits.MaxURLLength {
		return nil, tooLong(InvalidArgument, "redirect URL", limits.MaxURLLength)
	}
	u, err := form.SplitURL(raw)
	if err != nil {
		return nil, errorf(InvalidRedirect, "redirect is not an absolute URL")
	}
	query, err := parsePart("query", u.Query)
	if err != nil {
		return nil, err
	}
	fragment, err := form.Values(nil), error(nil)
	if CarriesResponse(u.Fragment) {
		if fragment, err = parsePart("fragment", u.Fragment); err != nil {
			return nil, err
		}
	}
	if query.Has("access_token") {
		return nil, errorf(InvalidRedirect, "an access token arrived in the query string, where servers and proxies log it; treat it as leaked and use the fragment (implicit flow) or the code flow")
	}
	inQuery := hasAnyOf(query, "code", "error")
	inFragment := hasAnyOf(fragment, "code", "access_token", "error")
	switch {
	case inQuery && inFragment:
		return nil, errorf(InvalidRedirect, "both the query and the fragment carry an authorization response")
	case !inQuery && !inFragment:
		return nil, errorf(InvalidRedirect, "the redirect carries neither a code, a token nor an error")
	}
	part, other := query, fragment
	if inFragment {
		part, other = fragment, query
	}
	r := &Redirect{InFragment: inFragment}
	state, hasState := part.Get("state")
	otherState, hasOther := other.Get("state")
	switch {
	case hasState && hasOther && state != otherState:
		return nil, errorf(InvalidRedirect, "the query and the fragment carry different states")
	case !hasState:
		state = otherState
	}
	r.State = state
	if len(r.State) > limits.MaxParamLength {
		return nil, tooLong(InvalidRedirect, "state", limits.MaxParamLength)
	}
	if e, ok := part.Get("error"); ok {
		if part.Has("code") || part.Has("access_token") {
			return nil, errorf(InvalidRedirect, "the redirect carries an error together with a code or token")
		}
		if e == "" {
			return nil, errorf(InvalidRedirect, "the error parameter is empty")
		}
		r.Kind = KindError
		desc, _ := part.Get("error_description")
		uri, _ := part.Get("error_uri")
		r.Err = oauthError("the server", e, desc, uri)
		return r, nil
	}
	if part.Has("code") && part.Has("access_token") {
		return nil, errorf(InvalidRedirect, "the redirect carries both a code and a token; hybrid responses are not supported")
	}
	if code, ok := part.Get("code"); ok {
		if code == "" {
			return nil, errorf(InvalidRedirect, "the code parameter is empty")
		}
		if len(code) > limits.MaxTokenLength {
			return nil, tooLong(InvalidRedirect, "the code", limits.MaxTokenLength)
		}
		r.Kind, r.Code = KindCode, code
		return r, nil
	}
	t, err := tokenFromFragment(part, now())
	if err != nil {
		return nil, err
	}
	r.Kind, r.Token = KindToken, t
	return r, nil
}

func parsePart(what, s string) (form.Values, error) {
	v, err := form.ParseURLPart(s)
	if err != nil {
		return nil, errorf(InvalidRedirect, "the redirect's "+what+" is malformed: "+err.Error())
	}
	return v, nil
}

func hasAnyOf(v form.Values, names ...string) bool {
	for _, n := range names {
		if v.Has(n) {
			return true
		}
	}
	return false
}

// tokenFromFragment reads an implicit-flow token (RFC 6749 §4.2.2) in
// today's format or GoToConnect's: `type` for token_type, `username` for
// principal, expires_in in milliseconds (GoTo's guide "Migrating from
// GoToConnect (auth.jive.com) to LogMeIn Authentication API").
func tokenFromFragment(p form.Values, now time.Time) (*Token, error) {
	t := &Token{TokenType: "Bearer"}
	t.AccessToken, _ = p.Get("access_token")
	if t.AccessToken == "" {
		return nil, errorf(InvalidRedirect, "the access_token parameter is empty")
	}
	if len(t.AccessToken) > limits.MaxTokenLength {
		return nil, tooLong(InvalidRedirect, "the access token", limits.MaxTokenLength)
	}
	tokenType, hasType := p.Get("token_type")
	legacyType, hasLegacyType := p.Get("type")
	principal, hasPrincipal := p.Get("principal")
	username, hasUsername := p.Get("username")
	if !hasType && (hasLegacyType || hasUsername && !hasPrincipal) {
		t.Legacy = LegacyGoToConnect
		tokenType, hasType = legacyType, hasLegacyType
	}
	if !hasType {
		return nil, errorf(InvalidRedirect, "the token has no token_type")
	}
	if !isBearer(tokenType) {
		return nil, errorf(InvalidRedirect, "token_type \""+clip(tokenType)+"\" is not Bearer")
	}
	if s, ok := p.Get("expires_in"); ok {
		n, err := parseExpires(s)
		if err != nil {
			return nil, &Error{Code: InvalidRedirect, Message: err.(*Error).Message}
		}
		if err := t.setExpiry(n, now); err != nil {
			return nil, &Error{Code: InvalidRedirect, Message: err.(*Error).Message}
		}
	}
	switch {
	case hasPrincipal:
		t.Principal = principal
	case hasUsername:
		t.Principal = username
	}
	scope, _ := p.Get("scope")
	t.Scope = SplitScope(scope)
	t.RefreshToken, _ = p.Get("refresh_token")
	return t, nil
}
