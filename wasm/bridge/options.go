package bridge

// This file is the one home of the options the JS API's calls take: their
// names, which the bridge reads (and the loader checks, refusing any other
// key), what kind of value each takes, and its one-line documentation.
// wasm/cmd/contract writes them into web/gotoauth-contract.js (which the
// loader imports) and web/gotoauth.d.ts (go generate). Unlike the rest of
// the package it builds natively, so that the generator can read it; the
// module links only the names its functions read.

// Kind is what an option's value is: how the loader checks and sends it,
// and how gotoauth.d.ts types it.
type Kind string

// The kinds of option, and the rule for each value (the limits are
// wasm/limits').
const (
	// Text is a string of at most limits.MaxURLLength, sent as it is.
	Text Kind = "string"
	// FlowName is a Text that names a flow (oauth.FlowNames).
	FlowName Kind = "flow"
	// Scope is a space-separated string, or an array of at most
	// limits.MaxScopes strings; sent space-joined.
	Scope Kind = "scope"
	// Extra is an object of at most limits.MaxExtraParams strings, sent as
	// extra.NAME pairs.
	Extra Kind = "extraParams"
	// JSON is any JSON-serialisable value, at most limits.MaxAppState as
	// JSON text.
	JSON Kind = "json"
	// PageURL is a Text the loader resolves against the page's address.
	PageURL Kind = "url"
	// Storage is an object with getItem, setItem and removeItem, handed
	// over as it is.
	Storage Kind = "storage"
	// Timeout is a whole number of milliseconds from limits.MinTimeout to
	// limits.MaxTimeout (limits.DefaultTimeout when absent).
	Timeout Kind = "timeout"
	// Flag is a boolean.
	Flag Kind = "boolean"
	// ModuleURL is a string or URL, read by the loader only.
	ModuleURL Kind = "wasmURL"
	// ModuleBytes is a BufferSource or a WebAssembly.Module, read by the
	// loader only.
	ModuleBytes Kind = "wasm"
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

// The options' names, as the bridge reads them.
const (
	OptClientID          = "clientId"
	OptRedirectURI       = "redirectUri"
	OptScope             = "scope"
	OptFlow              = "flow"
	OptState             = "state"
	OptStorage           = "storage"
	OptAuthorizeEndpoint = "authorizeEndpoint"
	OptTokenEndpoint     = "tokenEndpoint"
	OptMeEndpoint        = "meEndpoint"
	OptClientSecret      = "clientSecret"
	OptRelay             = "relay"
	OptTimeout           = "timeoutMs"
	OptExtraParams       = "extraParams"
	OptAppState          = "appState"
	OptCleanAddressBar   = "cleanAddressBar"
	OptWasmURL           = "wasmURL"
	OptWasm              = "wasm"
)

// Calls are the calls that take an options object, with their options in
// the order gotoauth.d.ts lists them. Name is the TypeScript interface.
var Calls = [...]struct {
	Name    string // the options' interface in gotoauth.d.ts
	Doc     string
	Options []Option
}{
	{"ClientConfig", "The configuration of gotoauth.client(config).", []Option{
		{OptClientID, Text, true, "The client id GoTo issued."},
		{OptRedirectURI, Text, true, "Where GoTo sends the browser back; registered with the client."},
		{OptScope, Scope, false, ""},
		{OptFlow, FlowName, false, "`code` (the default, with PKCE) or `implicit`."},
		{OptStorage, Storage, false, "sessionStorage in a browser, memory in Node, when omitted."},
		{OptAuthorizeEndpoint, Text, false, "Default {{authorizeEndpoint}}"},
		{OptTokenEndpoint, Text, false, "Default {{tokenEndpoint}}"},
		{OptMeEndpoint, Text, false, "Default {{meEndpoint}}"},
		{OptClientSecret, Text, false, "HTTP Basic client authentication, as GoTo's guides build it. For backends only: never ship a secret to a page."},
		{OptRelay, PageURL, false, "The token relay's folder (serve.go -relay mounts one at '/relay/'), resolved against the page. exchangeCode and refresh() go through it; the client secret and the refresh token stay on the server. Excludes tokenEndpoint and clientSecret."},
		{OptTimeout, Timeout, false, "How long a token or /me request may take; a timeout rejects with network_error."},
	}},
	{"AuthorizeURLOptions", "The options of gotoauth.authorizeURL.", []Option{
		{OptClientID, Text, true, ""},
		{OptRedirectURI, Text, false, ""},
		{OptScope, Scope, false, ""},
		{OptFlow, FlowName, false, ""},
		{OptState, Text, false, "{{minStateLength}} to {{maxStateLength}} characters of A-Z a-z 0-9 - . _ ~; generated when omitted."},
		{OptAuthorizeEndpoint, Text, false, ""},
		{OptExtraParams, Extra, false, "Extra query parameters; they can never set the standard ones."},
	}},
	{"SignInOptions", "The options of one sign-in (client.authorize, client.signInWithPopup).", []Option{
		{OptScope, Scope, false, ""},
		{OptFlow, FlowName, false, ""},
		{OptState, Text, false, "{{minStateLength}} to {{maxStateLength}} characters of A-Z a-z 0-9 - . _ ~; generated when omitted."},
		{OptExtraParams, Extra, false, "Extra query parameters; they can never set the standard ones."},
		{OptAppState, JSON, false, "The app's own value, handed back as result.appState by handleRedirect (and with the token by signInWithPopup). Kept beside the pending state (storage), never in the URL; it comes back as JSON.parse(JSON.stringify(appState)). Larger or non-JSON values reject with invalid_argument."},
	}},
	{"HandleRedirectOptions", "The options of client.handleRedirect.", []Option{
		{OptCleanAddressBar, Flag, false, "false leaves the response in the address bar; default true."},
	}},
	{"LoadOptions", "The options of load().", []Option{
		{OptWasmURL, ModuleURL, false, "Where gotoauth.wasm is (relative to the loader); default: next to the loader. Node reads a file: URL from disk."},
		{OptWasm, ModuleBytes, false, "The module's bytes or a compiled module, instead of fetching it."},
	}},
}
