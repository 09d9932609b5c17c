//go:build js && wasm

package bridge

import (
	"github.com/hack-pad/safejs"

	"gotoauth/wasm/browser"

	"gotoauth/wasm/client"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/pending"
	"gotoauth/wasm/scim"
)

// callbacks maps the result objects handleRedirect returned to their
// checked Callback. A WeakMap keyed by the object itself means a look-alike
// object built by hand is never found, and results are collected with it.
var callbacks = mustNew("WeakMap")

// callbackIDs holds the Go side; ids are never reused.
var (
	callbackByID = map[int]*client.Callback{}
	nextID       = 0
)

func mustNew(class string) safejs.Value {
	v, err := browser.MustGlobal(class).New()
	if err != nil {
		panic("gotoauth: cannot create " + class)
	}
	return v
}

// client(config) → {authorize, handleRedirect, exchangeCode, refresh, me, config}
func newClient(args []safejs.Value) (any, error) {
	o, ok, err := options(arg(args, 0), "client config")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, invalid("client takes a config object with clientId and redirectUri")
	}
	var cfg client.Config
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"clientId", &cfg.ClientID}, {"redirectUri", &cfg.RedirectURI}, {"flow", &cfg.Flow},
		{"authorizeEndpoint", &cfg.AuthorizeEndpoint}, {"tokenEndpoint", &cfg.TokenEndpoint},
		{"meEndpoint", &cfg.MeEndpoint}, {"clientSecret", &cfg.ClientSecret},
	} {
		if *f.dst, err = optString(o, f.name, oauth.MaxParamLength); err != nil {
			return nil, err
		}
	}
	if cfg.Scope, _, err = scopeField(o); err != nil {
		return nil, err
	}
	storage, err := storageField(o)
	if err != nil {
		return nil, err
	}
	cfg.Storage = storage
	cfg.Transport = browser.Fetch{}
	c, err := client.New(cfg)
	if err != nil {
		return nil, err
	}
	full := c.Config()
	scope := make([]any, len(full.Scope))
	for i, s := range full.Scope {
		scope[i] = s
	}
	return map[string]any{
		"authorize":      export(func(a []safejs.Value) (any, error) { return authorize(c, a) }),
		"handleRedirect": export(func(a []safejs.Value) (any, error) { return handleRedirect(c, a) }),
		"exchangeCode":   export(func(a []safejs.Value) (any, error) { return exchangeCode(c, a) }),
		"refresh":        export(func(a []safejs.Value) (any, error) { return refresh(c, a) }),
		"me":             export(func(a []safejs.Value) (any, error) { return me(c, a) }),
		"config": map[string]any{
			"clientId": full.ClientID, "redirectUri": full.RedirectURI, "scope": scope,
			"flow": flowOrDefault(full.Flow), "authorizeEndpoint": orDefault(full.AuthorizeEndpoint, oauth.DefaultAuthorizeEndpoint),
			"tokenEndpoint": full.TokenEndpoint, "meEndpoint": full.MeEndpoint,
		},
	}, nil
}

func flowOrDefault(f string) string {
	if f == oauth.FlowImplicit || f == "token" {
		return oauth.FlowImplicit
	}
	return oauth.FlowCode
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// storageField picks the pending-request storage: the caller's object,
// else sessionStorage in a browser (it survives the redirect but not the
// tab), else process memory.
func storageField(o safejs.Value) (pending.Storage, error) {
	v, err := field(o, "storage")
	if err != nil {
		return nil, err
	}
	if browser.IsNullish(v) {
		if ss, ok := browser.SessionStorage(); ok {
			return ss, nil
		}
		return &pending.Memory{}, nil
	}
	if browser.TypeOf(v) != safejs.TypeObject || v.IsNull() {
		return nil, invalid("storage must be an object with getItem, setItem and removeItem")
	}
	for _, m := range []string{"getItem", "setItem", "removeItem"} {
		f, err := field(v, m)
		if err != nil || browser.TypeOf(f) != safejs.TypeFunction {
			return nil, invalid("storage must have a " + m + " method")
		}
	}
	return browser.Storage{V: v}, nil
}

// authorize(options?) → {url, state, flow}
func authorize(c *client.Client, args []safejs.Value) (any, error) {
	o, ok, err := options(arg(args, 0), "authorize options")
	if err != nil {
		return nil, err
	}
	var ao client.AuthorizeOptions
	if ok {
		var present bool
		if ao.Scope, present, err = scopeField(o); err != nil {
			return nil, err
		}
		if present && ao.Scope == nil {
			ao.Scope = []string{}
		}
		if ao.Flow, err = optString(o, "flow", oauth.MaxParamLength); err != nil {
			return nil, err
		}
		if ao.State, err = optString(o, "state", oauth.MaxParamLength); err != nil {
			return nil, err
		}
		if ao.Extra, err = extraParams(o); err != nil {
			return nil, err
		}
	}
	a, err := c.Authorize(ao)
	if err != nil {
		return nil, err
	}
	return authorizationJS(a, false), nil
}

// handleRedirect(url?, {cleanAddressBar?}) → Promise of the checked result.
func handleRedirect(c *client.Client, args []safejs.Value) (any, error) {
	urlArg := arg(args, 0)
	fromLocation := browser.IsNullish(urlArg)
	var raw string
	var err error
	if fromLocation {
		if raw, err = browser.CurrentAddress(); err != nil {
			return nil, err
		}
	} else if raw, err = browser.String(urlArg, "handleRedirect's url", oauth.MaxURLLength); err != nil {
		return nil, err
	}
	o, hasOpts, err := options(arg(args, 1), "handleRedirect options")
	if err != nil {
		return nil, err
	}
	clean := true
	if hasOpts {
		v, err := field(o, "cleanAddressBar")
		if err != nil {
			return nil, err
		}
		if browser.TypeOf(v) == safejs.TypeBoolean {
			clean, _ = v.Bool()
		} else if !browser.IsNullish(v) {
			return nil, invalid("cleanAddressBar must be a boolean")
		}
	}
	if clean {
		// Before anything can fail: a code or token must not stay in the
		// address bar, history or a bookmark, whatever happens next.
		browser.CleanAddressBar(raw)
	}
	return promise(func(resolve, reject func(any)) {
		cb, err := c.HandleRedirect(raw)
		if err != nil {
			reject(jsError(err))
			return
		}
		result := redirectJS(cb.Redirect)
		if cb.Redirect.Kind == oauth.KindCode {
			result["codeVerifier"] = cb.CodeVerifier
			result["redirectUri"] = cb.RedirectURI
		}
		obj, err := toJS(result)
		if err != nil {
			reject(jsError(err))
			return
		}
		nextID++
		callbackByID[nextID] = cb
		if _, err := callbacks.Call("set", obj, nextID); err != nil {
			reject(jsError(err))
			return
		}
		resolve(obj)
	}), nil
}

// exchangeCode(result) → Promise<token>
func exchangeCode(c *client.Client, args []safejs.Value) (any, error) {
	v := arg(args, 0)
	var cb *client.Callback
	if browser.TypeOf(v) == safejs.TypeObject && !v.IsNull() {
		if id, err := callbacks.Call("get", v); err == nil && browser.TypeOf(id) == safejs.TypeNumber {
			n, _ := id.Int()
			cb = callbackByID[n]
		}
	}
	if cb == nil {
		return nil, invalid("exchangeCode takes the result that handleRedirect resolved to, so that the code's state has been checked")
	}
	return promise(func(resolve, reject func(any)) {
		c.ExchangeCode(cb, func(t *oauth.Token, err error) {
			if err != nil {
				reject(jsError(err))
				return
			}
			resolve(tokenJS(t))
		})
	}), nil
}

// refresh(refreshToken) → Promise<token>
func refresh(c *client.Client, args []safejs.Value) (any, error) {
	rt, err := browser.String(arg(args, 0), "refresh's refresh token", oauth.MaxTokenLength)
	if err != nil {
		return nil, err
	}
	return promise(func(resolve, reject func(any)) {
		c.Refresh(rt, func(t *oauth.Token, err error) {
			if err != nil {
				reject(jsError(err))
				return
			}
			resolve(tokenJS(t))
		})
	}), nil
}

// me(accessToken) → Promise<profile>
func me(c *client.Client, args []safejs.Value) (any, error) {
	at, err := browser.String(arg(args, 0), "me's access token", oauth.MaxTokenLength)
	if err != nil {
		return nil, err
	}
	return promise(func(resolve, reject func(any)) {
		c.Me(at, func(p *scim.Profile, raw map[string]any, err error) {
			if err != nil {
				reject(jsError(err))
				return
			}
			resolve(profileJS(p, raw))
		})
	}), nil
}

func profileJS(p *scim.Profile, raw map[string]any) map[string]any {
	accounts := make([]any, len(p.Accounts))
	for i, a := range p.Accounts {
		am := map[string]any{"key": a.Key}
		if a.Name != "" {
			am["name"] = a.Name
		}
		if a.Entitlements != nil {
			ents := make([]any, len(a.Entitlements))
			for j, e := range a.Entitlements {
				ents[j] = e
			}
			am["entitlements"] = ents
		}
		accounts[i] = am
	}
	legacy := map[string]any{}
	for _, f := range p.Legacy {
		legacy[f.Name] = f.Value
	}
	m := map[string]any{"id": p.ID, "userName": p.UserName, "accounts": accounts, "legacy": legacy, "raw": raw}
	for k, v := range map[string]string{"displayName": p.DisplayName, "givenName": p.GivenName, "familyName": p.FamilyName, "locale": p.Locale, "timezone": p.Timezone} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}
