package oauth

import (
	"strings"

	"gotoauth/wasm/form"
	"gotoauth/wasm/limits"
)

// Migration is a legacy URL rewritten for authentication.logmeininc.com.
type Migration struct {
	URL     string
	Changed bool
	Notes   []string
}

type legacyRoute struct {
	host, path string
	to         string // today's URL
	authorize  bool
	note       string
}

// legacyRoutes are the hosts and paths of GoTo's three migration guides:
// new token retrieval, GoToConnect, and the OAuth migration guide.
var legacyRoutes = []legacyRoute{
	{"api.getgo.com", "/oauth/authorize", DefaultAuthorizeEndpoint, true, "getgo v1 authorize (api.getgo.com/oauth/authorize) is now authentication.logmeininc.com/oauth/authorize"},
	{"api.getgo.com", "/oauth/access_token", DefaultTokenEndpoint, false, "getgo v1 /oauth/access_token is now authentication.logmeininc.com/oauth/token: POST only, form body, client credentials in an Authorization: Basic header instead of client_id in the query"},
	{"api.getgo.com", "/oauth/v2/authorize", DefaultAuthorizeEndpoint, true, "getgo v2 authorize (decommissioned 2025) is now authentication.logmeininc.com/oauth/authorize"},
	{"api.getgo.com", "/oauth/v2/token", DefaultTokenEndpoint, false, "getgo v2 token endpoint (decommissioned 2025) is now authentication.logmeininc.com/oauth/token; its response no longer carries user fields: call SCIM /me for them"},
	{"auth.jive.com", "/oauth2/v2/grant", DefaultAuthorizeEndpoint, true, "GoToConnect authorize (auth.jive.com/oauth2/v2/grant, end of life 2021) is now authentication.logmeininc.com/oauth/authorize; tokens come back with token_type, principal and expires_in in seconds"},
	{"auth.jive.com", "/oauth2/v2/token", DefaultTokenEndpoint, false, "GoToConnect token endpoint (auth.jive.com/oauth2/v2/token) is now authentication.logmeininc.com/oauth/token; old GoToConnect refresh tokens fail there with unsupported.jwt, so users sign in once more"},
}

// MigrateURL rewrites a legacy GoTo authorize or token URL to today's
// endpoint, keeping its parameters and fragment, and lists what changed.
// URLs it does not know come back unchanged with a note saying so.
func MigrateURL(raw string) (*Migration, error) {
	if len(raw) > limits.MaxURLLength {
		return nil, tooLong(InvalidArgument, "URL", limits.MaxURLLength)
	}
	u, err := form.SplitURL(raw)
	if err != nil || u.Host == "" {
		return nil, errorf(InvalidArgument, "not an absolute URL")
	}
	params, err := form.Parse(u.Query)
	if err != nil {
		return nil, errorf(InvalidArgument, "the URL's query is malformed: "+err.Error())
	}
	path := strings.TrimSuffix(u.Path, "/")
	m := &Migration{URL: raw}
	if u.Host == "authentication.logmeininc.com" {
		m.Notes = append(m.Notes, "already today's host, authentication.logmeininc.com")
		return m, nil
	}
	var route *legacyRoute
	for i := range legacyRoutes {
		if legacyRoutes[i].host == u.Host && legacyRoutes[i].path == path {
			route = &legacyRoutes[i]
		}
	}
	if route == nil {
		m.Notes = append(m.Notes, "not a known GoTo OAuth URL; left unchanged")
		return m, nil
	}
	m.Changed = true
	m.Notes = append(m.Notes, route.note)
	if u.Scheme != "https" {
		m.Notes = append(m.Notes, "the scheme is now https")
	}
	if route.authorize && !params.Has("response_type") {
		// The v1 proxy started the code flow with client_id alone (GoTo's "OAuth migration guide").
		params = append(form.Values{{Name: "response_type", Value: "code"}}, params...)
		m.Notes = append(m.Notes, "added response_type=code, which getgo v1 did not need")
	}
	if gt, _ := params.Get("grant_type"); gt == "password" || params.Has("password") {
		m.Notes = append(m.Notes, "the password grant is deprecated and refused for new clients: use the authorization code flow")
	}
	if !route.authorize && (params.Has("client_secret") || params.Has("code") || params.Has("refresh_token") || params.Has("password")) {
		m.Notes = append(m.Notes, "secrets and codes in a token URL's query leak into logs: send them in a POST body")
	}
	if route.authorize && !params.Has("state") {
		m.Notes = append(m.Notes, "no state parameter: add one (authorizeURL does) to protect against CSRF")
	}
	out := route.to
	if len(params) > 0 {
		out += "?" + params.Encode()
	}
	if u.HasFragment {
		out += "#" + u.Fragment
	}
	m.URL = out
	return m, nil
}
