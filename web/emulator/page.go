package emulator

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"strconv"

	"gotoauth/web/oauthhttp"
)

// Mount is where a page's server mounts the emulator (serve.go -emulator),
// with http.StripPrefix; the paths below are inside it.
const Mount = "/goto"

// The emulator's endpoints, inside its mount (the package documentation
// lists what each does).
const (
	AuthorizePath            = "/oauth/authorize"
	GoToConnectAuthorizePath = "/oauth2/v2/grant"
	DecisionPath             = "/oauth/authorize/decision"
	TokenPath                = "/oauth/token"
	GoToConnectTokenPath     = "/oauth2/v2/token"
	RevocationPath           = "/oauth/revoke"
	MePath                   = "/identity/v1/Users/me"
	AgeRefreshTokenPath      = "/_emulator/age-refresh-token"
	ExpireAccessTokenPath    = "/_emulator/expire-access-token"
	StatsPath                = "/_emulator/stats"
)

// PageConfigPath is where a page asks its server how to sign in there
// (PageConfig); the demo reads it before anything else.
const PageConfigPath = "/serve-config.json"

// PageConfig tells a page how to sign in where it is served, with the
// emulator or without: the one answer at PageConfigPath. It never holds a
// secret.
type PageConfig struct {
	// Relay is the token relay's folder, "" without one.
	Relay string `json:"relay"`
	// ClientID is the client the page signs in as: the relay's, or the
	// emulator's demo client, or "" (the user enters one).
	ClientID string `json:"clientId"`
	// Emulator is set when the page signs in at the emulator.
	Emulator bool `json:"emulator"`
	// With Emulator, the emulator's endpoints, as paths on the page's
	// server (the page makes them URLs with its own origin); absent
	// otherwise, for the library's defaults, GoTo's.
	AuthorizeEndpoint string `json:"authorizeEndpoint,omitempty"`
	TokenEndpoint     string `json:"tokenEndpoint,omitempty"`
	MeEndpoint        string `json:"meEndpoint,omitempty"`
}

// Page is the configuration of a page that signs in at the emulator
// mounted at Mount, as its demo client, through the relay at relay ("" for
// none: the implicit flow).
func Page(relay string) PageConfig {
	return PageConfig{
		Relay:             relay,
		ClientID:          DemoClientID,
		Emulator:          true,
		AuthorizeEndpoint: Mount + AuthorizePath,
		TokenEndpoint:     Mount + TokenPath,
		MeEndpoint:        Mount + MePath,
	}
}

// Handler answers c as JSON, to GET and HEAD, kept by no cache without
// asking again.
func (c PageConfig) Handler() http.Handler {
	body, err := json.Marshal(c)
	if err != nil {
		panic(err) // strings and a bool always marshal
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !oauthhttp.ReadOnly(w, r) {
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method == http.MethodGet {
			w.Write(body)
		}
	})
}

// URL is where a server-side client (the token relay) reaches the emulator
// mounted at Mount on a server bound to bound: on loopback when the server
// listens on every address, since its endpoints are plain http.
func URL(bound netip.AddrPort) string {
	ip := bound.Addr().Unmap()
	switch {
	case ip.IsUnspecified() && ip.Is6():
		ip = netip.IPv6Loopback()
	case ip.IsUnspecified():
		ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	return "http://" + netip.AddrPortFrom(ip, bound.Port()).String() + Mount
}

// RelayEndpoints are the token and revocation endpoints a relay on the
// server bound to bound uses to reach the emulator (URL).
func RelayEndpoints(bound netip.AddrPort) (token, revocation string) {
	at := URL(bound)
	return at + TokenPath, at + RevocationPath
}
