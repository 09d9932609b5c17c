package oauth

import (
	"strconv"
	"strings"

	"gotoauth/pkce"
	"gotoauth/wasm/form"
	"gotoauth/wasm/limits"
	"gotoauth/wasm/options"
)

// Flow names.
const (
	FlowCode     = "code"
	FlowImplicit = "implicit"
)

// AuthorizeRequest describes an authorization request (RFC 6749 §4.1.1, §4.2.1).
type AuthorizeRequest struct {
	ClientID    string
	RedirectURI string
	Scope       []string
	Flow        string // FlowCode (default) or FlowImplicit
	State       string // generated when empty
	Endpoint    string // DefaultAuthorizeEndpoint when empty
	Extra       form.Values
}

// Authorization is a built request and the secrets to keep for its redirect.
type Authorization struct {
	URL           string
	State         string
	Flow          string
	CodeVerifier  string // code flow only
	CodeChallenge string // code flow only
}

// standardParams are the parameters gotoauth sets; extra parameters may not
// name them, so a caller's option can never weaken state or PKCE.
var standardParams = []string{"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"}

// BuildAuthorization builds the authorize URL with a fresh state and, for
// the code flow, a fresh PKCE verifier with its S256 challenge (RFC 7636 §4.3).
func BuildAuthorization(r AuthorizeRequest) (*Authorization, error) {
	flow, err := ParseFlow(r.Flow)
	if err != nil {
		return nil, err
	}
	if err := checkParam(options.ClientID, r.ClientID, true); err != nil {
		return nil, err
	}
	endpoint, err := checkEndpoint(options.AuthorizeEndpoint, r.Endpoint, DefaultAuthorizeEndpoint)
	if err != nil {
		return nil, err
	}
	if r.RedirectURI != "" {
		if err := CheckRedirectURI(r.RedirectURI); err != nil {
			return nil, err
		}
	}
	scope, err := JoinScope(r.Scope)
	if err != nil {
		return nil, err
	}
	fixed := endpointParams(endpoint)
	for _, p := range fixed {
		if isStandard(p.Name) {
			return nil, errorf(InvalidArgument, options.AuthorizeEndpoint+" must not carry the parameter "+p.Name+"; gotoauth sets it")
		}
	}
	for i, p := range r.Extra {
		if err := checkExtra(p); err != nil {
			return nil, err
		}
		// RFC 6749 §3.1: a parameter must not be included more than once.
		if fixed.Has(p.Name) || r.Extra[:i].Has(p.Name) {
			return nil, errorf(InvalidArgument, options.ExtraParams+" sets "+p.Name+" more than once or again after "+options.AuthorizeEndpoint)
		}
	}
	state := r.State
	if state == "" {
		if state, err = pkce.NewState(); err != nil {
			return nil, errorf(Internal, "no random source: "+err.Error())
		}
	} else if err := checkState(state); err != nil {
		return nil, err
	}

	a := &Authorization{State: state, Flow: flow}
	responseType := "code"
	if flow == FlowImplicit {
		responseType = "token"
	}
	params := form.Values{{Name: "response_type", Value: responseType}, {Name: "client_id", Value: r.ClientID}}
	if r.RedirectURI != "" {
		params = append(params, form.Param{Name: "redirect_uri", Value: r.RedirectURI})
	}
	if scope != "" {
		params = append(params, form.Param{Name: "scope", Value: scope})
	}
	params = append(params, form.Param{Name: "state", Value: state})
	if flow == FlowCode {
		if a.CodeVerifier, err = pkce.NewVerifier(); err != nil {
			return nil, errorf(Internal, "no random source: "+err.Error())
		}
		a.CodeChallenge = pkce.Challenge(a.CodeVerifier)
		params = append(params, form.Param{Name: "code_challenge", Value: a.CodeChallenge}, form.Param{Name: "code_challenge_method", Value: pkce.MethodS256})
	}
	params = append(params, r.Extra...)
	buf := make([]byte, 0, len(endpoint)+len(r.ClientID)+len(r.RedirectURI)*3/2+len(scope)*3/2+256)
	buf = append(buf, endpoint...)
	switch {
	case !strings.Contains(endpoint, "?"):
		buf = append(buf, '?')
	case !strings.HasSuffix(endpoint, "?") && !strings.HasSuffix(endpoint, "&"):
		buf = append(buf, '&')
	}
	a.URL = string(params.AppendEncoded(buf))
	return a, nil
}

// FlowNames are the names of a flow that ParseFlow takes, in any case, and
// the flow each means: "code" (the default, also "authorization_code") or
// "implicit" (also "token", the response_type).
var FlowNames = [...]struct{ Name, Flow string }{
	{FlowCode, FlowCode}, {"authorization_code", FlowCode},
	{FlowImplicit, FlowImplicit}, {"token", FlowImplicit},
}

// ParseFlow is the one place a flow's name is read (FlowNames; "" is the
// code flow). It returns FlowCode or FlowImplicit.
func ParseFlow(flow string) (string, error) {
	lower := form.ASCIILower(flow)
	if lower == "" {
		return FlowCode, nil
	}
	for _, f := range FlowNames {
		if lower == f.Name {
			return f.Flow, nil
		}
	}
	if lower == "password" {
		return "", errPasswordGrant
	}
	if len(flow) > 40 {
		flow = flow[:40] + "…"
	}
	return "", errorf(Unsupported, "unknown flow \""+flow+"\": use \"code\" (recommended) or \"implicit\"")
}

var errPasswordGrant = errorf(Unsupported, "the password grant is deprecated and new GoTo clients cannot use it; use the authorization code flow (flow: \"code\") with PKCE instead")

func checkExtra(p form.Param) error {
	if err := checkParam(options.ExtraParams+" name", p.Name, true); err != nil {
		return err
	}
	if err := checkParam(options.ExtraParams+"."+p.Name, p.Value, false); err != nil {
		return err
	}
	if isStandard(p.Name) {
		return errorf(InvalidArgument, options.ExtraParams+" may not set "+p.Name+"; gotoauth sets it")
	}
	if p.Name == "grant_type" && p.Value == "password" || p.Name == "password" {
		return errPasswordGrant
	}
	return nil
}

func isStandard(name string) bool {
	for _, s := range standardParams {
		if s == name {
			return true
		}
	}
	return false
}

func checkParam(what, v string, required bool) error {
	if v == "" {
		if required {
			return errorf(InvalidArgument, what+" is required")
		}
		return nil
	}
	if len(v) > limits.MaxParamLength {
		return tooLong(InvalidArgument, what, limits.MaxParamLength)
	}
	if HasControl(v) {
		return errorf(InvalidArgument, what+" contains a control character")
	}
	return nil
}

func checkState(s string) error {
	if len(s) < limits.MinStateLength || len(s) > limits.MaxStateLength {
		return errorf(InvalidArgument, options.State+" must be "+strconv.Itoa(limits.MinStateLength)+" to "+strconv.Itoa(limits.MaxStateLength)+" characters (at least 128 bits); leave it out to get a random one")
	}
	if !form.Unreserved(s) {
		return errorf(InvalidArgument, options.State+" must use only A-Z a-z 0-9 - . _ ~")
	}
	return nil
}

// checkEndpoint accepts https URLs, and http only on loopback hosts, where
// the local emulator runs (RFC 6749 §3.1 requires TLS).
func checkEndpoint(what, endpoint, def string) (string, error) {
	if endpoint == "" {
		return def, nil
	}
	if len(endpoint) > limits.MaxParamLength {
		return "", tooLong(InvalidArgument, what, limits.MaxParamLength)
	}
	u, err := form.SplitURL(endpoint)
	if err != nil || u.Host == "" {
		return "", errorf(InvalidArgument, what+" must be an absolute https URL")
	}
	if u.HasFragment {
		return "", errorf(InvalidArgument, what+" must not have a fragment (RFC 6749 §3.1)")
	}
	if !overTLS(u) {
		return "", errorf(InvalidArgument, what+" must use https (http only on 127.0.0.1, ::1 or localhost)")
	}
	if _, err := form.Parse(u.Query); err != nil {
		return "", errorf(InvalidArgument, what+" has a malformed query: "+err.Error())
	}
	return endpoint, nil
}

// overTLS is the one rule for where a token may be sent: https, or plain
// http to a loopback host (RFC 6749 §3.1, RFC 6750 §5.3, RFC 8252 §7.3).
func overTLS(u form.URL) bool {
	return u.Scheme == "https" || u.Scheme == "http" && u.IsLoopback()
}

// CheckBearerURL refuses a URL that a bearer token must not be sent to
// (RFC 6750 §5.3: TLS only), by the same rule as the endpoints.
func CheckBearerURL(raw string) error {
	u, err := form.SplitURL(raw)
	if err != nil || u.Host == "" || len(raw) > limits.MaxParamLength {
		return errorf(InvalidArgument, "session.fetch takes an absolute https URL")
	}
	if !overTLS(u) {
		return errorf(InvalidArgument, "session.fetch sends the bearer token over https only (RFC 6750 §5.3); plain http only to 127.0.0.1, ::1 or localhost")
	}
	return nil
}

func endpointParams(endpoint string) form.Values {
	if !strings.Contains(endpoint, "?") {
		return nil
	}
	u, _ := form.SplitURL(endpoint)
	v, _ := form.Parse(u.Query)
	return v
}

// CheckRedirectURI accepts an absolute URL without a fragment (RFC 6749
// §3.1.2): https, http on a loopback host, or a private-use scheme for
// native apps (RFC 8252 §7.1).
func CheckRedirectURI(uri string) error {
	if len(uri) > limits.MaxParamLength {
		return tooLong(InvalidArgument, options.RedirectURI, limits.MaxParamLength)
	}
	u, err := form.SplitURL(uri)
	if err != nil {
		return errorf(InvalidArgument, options.RedirectURI+" must be an absolute URL")
	}
	if u.HasFragment {
		return errorf(InvalidArgument, options.RedirectURI+" must not have a fragment (RFC 6749 §3.1.2)")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !u.IsLoopback() {
			return errorf(InvalidArgument, options.RedirectURI+" must use https (http only on 127.0.0.1, ::1 or localhost)")
		}
	case "javascript", "data", "file", "blob", "about", "vbscript":
		return errorf(InvalidArgument, options.RedirectURI+" may not use the "+u.Scheme+": scheme")
	}
	return nil
}

// JoinScope joins scopes with single spaces (RFC 6749 §3.3), splitting any
// that already contain spaces and dropping repeats.
func JoinScope(scopes []string) (string, error) {
	var out []string
	for _, s := range scopes {
		if len(s) > limits.MaxParamLength {
			return "", tooLong(InvalidArgument, options.Scope, limits.MaxParamLength)
		}
		// Only a plain space separates scopes (RFC 6749 §3.3); any other
		// white space is refused below rather than taken as a separator.
		for _, one := range strings.Split(s, " ") {
			if one == "" {
				continue
			}
			if !ScopeToken(one) {
				return "", errorf(InvalidArgument, options.Scope+" \""+one+"\" has a character RFC 6749 §3.3 does not allow")
			}
			dup := false
			for _, o := range out {
				dup = dup || o == one
			}
			if !dup {
				out = append(out, one)
			}
		}
	}
	joined := strings.Join(out, " ")
	if len(joined) > limits.MaxParamLength {
		return "", tooLong(InvalidArgument, options.Scope, limits.MaxParamLength)
	}
	return joined, nil
}

// ScopeToken reports whether s is one scope-token of RFC 6749 §3.3,
// 1*( %x21 / %x23-5B / %x5D-7E ): the one home of that grammar, which the
// emulator also reads scopes by.
func ScopeToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c == 0x22 || c == 0x5c || c > 0x7e {
			return false
		}
	}
	return s != ""
}

// CheckEndpoint applies the authorize endpoint's rules to another endpoint.
func CheckEndpoint(what, endpoint string) error {
	_, err := checkEndpoint(what, endpoint, "")
	return err
}
