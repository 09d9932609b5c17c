// Package options is the one home of the options the JS API's calls take:
// their names, which wasm/bridge reads and the messages of the Go packages
// name (the loader checks them too, refusing any other key), what kind of
// value each takes, and its one-line documentation. wasm/cmd/contract
// writes them into web/gotoauth-contract.js (which the loader imports) and
// web/gotoauth.d.ts (go generate). The module links only the names.
package options

// Kind is what an option's value is: how the loader checks and sends it,
// and how gotoauth.d.ts types it.
type Kind string

// The kinds of option, and the rule for each value (the limits are
// wasm/limits').
const (
	// KindText is a string of at most limits.MaxURLLength, sent as it is.
	KindText Kind = "string"
	// KindFlowName is a KindText that names a flow (oauth.FlowNames).
	KindFlowName Kind = "flow"
	// KindScope is a space-separated string, or an array of at most
	// limits.MaxScopes strings; sent space-joined.
	KindScope Kind = "scope"
	// KindExtra is an object of at most limits.MaxExtraParams strings, sent as
	// extra.NAME pairs.
	KindExtra Kind = "extraParams"
	// KindJSON is any JSON-serialisable value, at most limits.MaxAppState as
	// JSON text.
	KindJSON Kind = "json"
	// KindPageURL is a KindText the loader resolves against the page's
	// address and refuses on any other origin than the page's; outside a
	// page (Node) it must be absolute, on any origin.
	KindPageURL Kind = "url"
	// KindOrigins is an array of at most limits.MaxAPIOrigins origins
	// (scheme://host[:port] alone), each by the TLS rule of the endpoints
	// (oauth.CheckBearerURL); read by the loader only, which compares
	// origins as the URL standard serialises them.
	KindOrigins Kind = "origins"
	// KindStorage is an object with getItem, setItem and removeItem, handed
	// over as it is.
	KindStorage Kind = "storage"
	// KindTimeout is a whole number of milliseconds from limits.MinTimeout to
	// limits.MaxTimeout (limits.DefaultTimeout when absent).
	KindTimeout Kind = "timeout"
	// KindFlag is a boolean.
	KindFlag Kind = "boolean"
	// KindModuleURL is a string or URL, read by the loader only.
	KindModuleURL Kind = "wasmURL"
	// KindModuleBytes is a BufferSource or a WebAssembly.Module, read by the
	// loader only.
	KindModuleBytes Kind = "wasm"
)

// Option is one option of a call's options object. Its Doc may name a
// published limit's value or an endpoint's default as {{name}}
// (wasm/cmd/contract).
type Option struct {
	Name     string
	Kind     Kind
	Required bool
	Doc      string
}

// The options' names, as the bridge reads them (web/gotoauth-contract.js
// has each as OPT_ and its name in capitals: OPT_CLIENT_ID).
const (
	ClientID          = "clientId"
	RedirectURI       = "redirectUri"
	Scope             = "scope"
	Flow              = "flow"
	State             = "state"
	Storage           = "storage"
	AuthorizeEndpoint = "authorizeEndpoint"
	TokenEndpoint     = "tokenEndpoint"
	MeEndpoint        = "meEndpoint"
	ClientSecret      = "clientSecret"
	Relay             = "relay"
	TimeoutMs         = "timeoutMs"
	APIOrigins        = "apiOrigins"
	ExtraParams       = "extraParams"
	AppState          = "appState"
	CleanAddressBar   = "cleanAddressBar"
	WasmURL           = "wasmURL"
	Wasm              = "wasm"
)

// Calls are the calls that take an options object, with their options in
// the order gotoauth.d.ts lists them. Name is the TypeScript interface.
var Calls = [...]struct {
	Name    string   // the options' interface in gotoauth.d.ts
	Doc     string   // its documentation
	JS      []string // the calls that take it, as the README names them
	Options []Option
}{
	{"ClientConfig", "The configuration of gotoauth.client(config).", []string{"client"}, []Option{
		{ClientID, KindText, true, "The client id GoTo issued."},
		{RedirectURI, KindText, true, "Where GoTo sends the browser back; registered with the client."},
		{Scope, KindScope, false, ""},
		{Flow, KindFlowName, false, "`code` (the default, with PKCE) or `implicit`."},
		{Storage, KindStorage, false, "sessionStorage in a browser, memory in Node, when omitted."},
		{AuthorizeEndpoint, KindText, false, "Default {{authorizeEndpoint}}"},
		{TokenEndpoint, KindText, false, "Default {{tokenEndpoint}}"},
		{MeEndpoint, KindText, false, "Default {{meEndpoint}}"},
		{ClientSecret, KindText, false, "HTTP Basic client authentication, as GoTo's guides build it. For backends only: never ship a secret to a page."},
		{Relay, KindPageURL, false, "The token relay's folder (serve.go -relay mounts one at '/relay/'), resolved against the page and on the page's own origin (a relay elsewhere is refused: its cookie is sent same-origin only, so forward a path to it through the app's proxy); in Node, any absolute URL. exchangeCode and refresh() go through it; the client secret and the refresh token stay on the server. Excludes tokenEndpoint and clientSecret."},
		{TimeoutMs, KindTimeout, false, "How long a token or /me request may take; a timeout rejects with network_error."},
		{APIOrigins, KindOrigins, false, "The origins session.fetch may send the access token to, compared exactly (scheme, host and port); any other URL is refused with invalid_argument before anything is sent. Default {{apiOrigins}} (GoTo's API hosts); name your own API's origin, or a loopback one in tests."},
	}},
	{"AuthorizeURLOptions", "The options of gotoauth.authorizeURL.", []string{"authorizeURL"}, []Option{
		{ClientID, KindText, true, ""},
		{RedirectURI, KindText, false, ""},
		{Scope, KindScope, false, ""},
		{Flow, KindFlowName, false, ""},
		{State, KindText, false, "{{minStateLength}} to {{maxStateLength}} characters of A-Z a-z 0-9 - . _ ~; generated when omitted."},
		{AuthorizeEndpoint, KindText, false, ""},
		{ExtraParams, KindExtra, false, "Extra query parameters; they can never set the standard ones."},
	}},
	{"SignInOptions", "The options of one sign-in (client.authorize, client.signInWithPopup).", []string{"authorize", "signInWithPopup"}, []Option{
		{Scope, KindScope, false, ""},
		{Flow, KindFlowName, false, ""},
		{State, KindText, false, "{{minStateLength}} to {{maxStateLength}} characters of A-Z a-z 0-9 - . _ ~; generated when omitted."},
		{ExtraParams, KindExtra, false, "Extra query parameters; they can never set the standard ones."},
		{AppState, KindJSON, false, "The app's own value, handed back as result.appState by handleRedirect (and with the token by signInWithPopup). Kept beside the pending state (storage), never in the URL; it comes back as JSON.parse(JSON.stringify(appState)). Larger or non-JSON values reject with invalid_argument."},
	}},
	{"HandleRedirectOptions", "The options of client.handleRedirect.", []string{"handleRedirect"}, []Option{
		{CleanAddressBar, KindFlag, false, "false leaves the response in the address bar; default true."},
	}},
	{"LoadOptions", "The options of load().", []string{"load"}, []Option{
		{WasmURL, KindModuleURL, false, "Where gotoauth.wasm is (relative to the loader); default: next to the loader. Node reads a file: URL from disk."},
		{Wasm, KindModuleBytes, false, "The module's bytes or a compiled module, instead of fetching it."},
		{TimeoutMs, KindTimeout, false, "How long the whole load (download, compile, start) may take; past it load() rejects with load_failed naming the step that stalled, and a later load() tries again."},
	}},
}
