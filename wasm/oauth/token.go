package oauth

import (
	"strconv"
	"time"

	"gotoauth/wasm/limits"
)

// Legacy formats a token can arrive in. Empty is today's format.
const (
	LegacyGoToConnect = "gotoconnect" // auth.jive.com: expires_in in ms, username
	LegacyGetGoV1     = "getgo-v1"    // api.getgo.com/oauth/access_token: string expires_in, no token_type
	LegacyGetGoV2     = "getgo-v2"    // api.getgo.com/oauth/v2/token: user fields in the response
)

// Token is the one shape every generation is normalised into.
type Token struct {
	AccessToken  string
	TokenType    string // always "Bearer"
	ExpiresIn    int64  // seconds; valid when HasExpiry
	HasExpiry    bool
	ExpiresAt    int64 // ms since the Unix epoch
	RefreshToken string
	Scope        []string
	Principal    string
	Legacy       string
	Profile      []Field // the legacy user fields, in the order of profileFields
}

// Field is one legacy profile field.
type Field struct{ Name, Value string }

// profileFields are the user fields the getgo token responses carried
// (the table in GoTo's guide "Migrating to New Token Retrieval with
// authentication.logmeininc.com"); gotoauth keeps them under their own names.
var profileFields = []string{"organizer_key", "account_key", "account_type", "email", "firstName", "lastName", "platform", "version"}

// NormalizeJSON normalises a token endpoint response as wire.ParseObject
// read it from the body (string, float64, bool, nil, map[string]any,
// []any).
// An RFC 6749 §5.2 error object becomes an OAuthError.
func NormalizeJSON(m map[string]any, now time.Time) (*Token, error) {
	if m == nil {
		return nil, errorf(InvalidResponse, "token response is not an object")
	}
	if _, ok := m["error"]; ok {
		if e := ErrorFromJSON(m, "the server"); e != nil {
			return nil, e
		}
		return nil, errorf(InvalidResponse, "error must be a non-empty string")
	}
	str := func(name string) (string, bool, error) {
		v, ok := m[name]
		if !ok || v == nil {
			return "", false, nil
		}
		s, isStr := v.(string)
		if !isStr {
			return "", false, errorf(InvalidResponse, name+" must be a string")
		}
		return s, true, nil
	}
	t := &Token{TokenType: "Bearer"}
	var err error
	var has bool
	if t.AccessToken, has, err = str("access_token"); err != nil {
		return nil, err
	} else if !has || t.AccessToken == "" {
		return nil, errorf(InvalidResponse, "token response has no access_token")
	}
	if len(t.AccessToken) > limits.MaxTokenLength {
		return nil, tooLong(InvalidResponse, "access_token", limits.MaxTokenLength)
	}
	tokenType, hasType, err := str("token_type")
	if err != nil {
		return nil, err
	}
	if t.RefreshToken, _, err = str("refresh_token"); err != nil {
		return nil, err
	}
	if len(t.RefreshToken) > limits.MaxTokenLength {
		return nil, tooLong(InvalidResponse, "refresh_token", limits.MaxTokenLength)
	}
	scope, _, err := str("scope")
	if err != nil {
		return nil, err
	}
	t.Scope = SplitScope(scope)
	principal, hasPrincipal, err := str("principal")
	if err != nil {
		return nil, err
	}
	username, hasUsername, err := str("username")
	if err != nil {
		return nil, err
	}

	// Generation: Jive named the user "username"; getgo v1 sent expires_in
	// as a string and no token_type; getgo v2 added token_type but kept the
	// user fields.
	rawExpires, hasExpires := m["expires_in"]
	_, expiresIsString := rawExpires.(string)
	hasUserFields := false
	for _, f := range profileFields {
		if _, ok := m[f]; ok && f != "version" {
			hasUserFields = true
		}
	}
	switch {
	case hasUsername && !hasPrincipal:
		t.Legacy = LegacyGoToConnect
	case expiresIsString || hasUserFields && !hasType:
		t.Legacy = LegacyGetGoV1
	case hasUserFields:
		t.Legacy = LegacyGetGoV2
	}
	if !hasType && t.Legacy != LegacyGetGoV1 {
		return nil, errorf(InvalidResponse, "token response has no token_type")
	}
	if hasType && !isBearer(tokenType) {
		return nil, errorf(InvalidResponse, "token_type \""+clip(tokenType)+"\" is not Bearer")
	}
	if hasExpires && rawExpires != nil {
		var n int64
		switch v := rawExpires.(type) {
		case float64:
			if v != float64(int64(v)) || v < 0 || v > 1e15 {
				return nil, errorf(InvalidResponse, "expires_in is not a whole number of seconds")
			}
			n = int64(v)
		case string:
			if n, err = parseExpires(v); err != nil {
				return nil, err
			}
		default:
			return nil, errorf(InvalidResponse, "expires_in must be a number")
		}
		if err := t.setExpiry(n, now); err != nil {
			return nil, err
		}
	}
	switch {
	case hasPrincipal:
		t.Principal = principal
	case hasUsername:
		t.Principal = username
	}
	for _, name := range profileFields {
		v, ok := m[name]
		if !ok || v == nil {
			continue
		}
		s, isStr := v.(string)
		if !isStr {
			if f, isNum := v.(float64); isNum {
				s = strconv.FormatFloat(f, 'f', -1, 64)
			} else {
				return nil, errorf(InvalidResponse, name+" must be a string")
			}
		}
		if t.Legacy == LegacyGetGoV1 || t.Legacy == LegacyGetGoV2 {
			t.Profile = append(t.Profile, Field{name, s})
		}
		if name == "email" && t.Principal == "" {
			t.Principal = s
		}
	}
	return t, nil
}

// setExpiry records expires_in, converting Jive's milliseconds to seconds.
func (t *Token) setExpiry(n int64, now time.Time) error {
	if t.Legacy == LegacyGoToConnect {
		n /= 1000
	}
	if n > int64(limits.MaxExpiresIn/time.Second) {
		return errorf(InvalidResponse, "expires_in is more than "+strconv.FormatInt(int64(limits.MaxExpiresIn/time.Hour/24), 10)+" days")
	}
	t.ExpiresIn, t.HasExpiry = n, true
	t.ExpiresAt = now.UnixMilli() + n*1000
	return nil
}

// parseExpires reads a whole number of seconds (or Jive's milliseconds),
// allowing the spaces a hand-written legacy response may carry.
func parseExpires(s string) (int64, error) {
	t := trimSpace(s)
	if t == "" || len(t) > 18 {
		return 0, errorf(InvalidResponse, "expires_in \""+clip(s)+"\" is not a whole number")
	}
	var n int64
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return 0, errorf(InvalidResponse, "expires_in \""+clip(s)+"\" is not a whole number")
		}
		n = n*10 + int64(t[i]-'0')
	}
	return n, nil
}

// SplitScope splits a scope string at white space (RFC 6749 §3.3); it
// never returns nil: a scope is a list, maybe empty.
func SplitScope(s string) []string {
	return fields(s)
}

// ErrorFromJSON reads an RFC 6749 §5.2 error body as an OAuthError whose
// message names who answered; nil when m has no non-empty string "error".
func ErrorFromJSON(m map[string]any, who string) *Error {
	code, ok := m["error"].(string)
	if !ok || code == "" {
		return nil
	}
	d, _ := m["error_description"].(string)
	u, _ := m["error_uri"].(string)
	return oauthError(who, code, d, u)
}

// oauthError is the OAuthError for an RFC 6749 error code, description and
// URI from a server (a body, or a redirect's parameters), its message
// naming who answered.
func oauthError(who, code, desc, uri string) *Error {
	e := &Error{Code: OAuthError, OAuth: clip(code), Description: clip(desc), URI: clip(uri)}
	e.Message = who + " answered " + e.OAuth
	if e.Description != "" {
		e.Message += ": \"" + e.Description + "\""
	}
	return e
}

// clip shortens server-provided text before it goes into a message.
func clip(s string) string {
	if len(s) > 512 {
		return s[:512] + "…"
	}
	return s
}
