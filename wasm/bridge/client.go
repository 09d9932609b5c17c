//go:build js && wasm

package bridge

import (
	"strconv"

	"github.com/hack-pad/safejs"

	"gotoauth/wasm/browser"
	"gotoauth/wasm/client"
	"gotoauth/wasm/limits"
	"gotoauth/wasm/oauth"
	"gotoauth/wasm/options"
	"gotoauth/wasm/pending"
	"gotoauth/wasm/scim"
	"gotoauth/wasm/wire"
)

// clientEntry is one client and the checked redirects it handed out, by
// id. The loader maps each result object to its id in a WeakMap of its
// own, so only a result handleRedirect returned can be exchanged.
type clientEntry struct {
	c       *client.Client
	checked map[int]*client.CheckedRedirect
}

var (
	clients = map[int]*clientEntry{}
	nextID  = 0
)

// clientArg reads the client id, args[1].
func clientArg(args []safejs.Value) (*clientEntry, error) {
	v := arg(args, 1)
	if browser.TypeOf(v) != safejs.TypeNumber {
		return nil, oauth.Invalid("not a gotoauth client")
	}
	id, err := v.Int()
	if err != nil {
		return nil, oauth.Invalid("not a gotoauth client")
	}
	e := clients[id]
	if e == nil {
		return nil, oauth.Invalid("this client was released")
	}
	return e, nil
}

// newClient(options, storage?) → {id, config}
func newClient(w *wire.Writer, payload string, args []safejs.Value) error {
	o, err := optionsArg(payload)
	if err != nil {
		return err
	}
	cfg := client.Config{
		ClientID: get(o, options.ClientID), RedirectURI: get(o, options.RedirectURI), Flow: get(o, options.Flow),
		AuthorizeEndpoint: get(o, options.AuthorizeEndpoint), TokenEndpoint: get(o, options.TokenEndpoint),
		MeEndpoint: get(o, options.MeEndpoint), ClientSecret: get(o, options.ClientSecret), Relay: get(o, options.Relay),
		Transport: browser.Fetch{},
	}
	cfg.Scope, _ = scope(o)
	if ms, ok := o.Get(options.TimeoutMs); ok {
		n, err := strconv.ParseInt(ms, 10, 64)
		if err != nil {
			n = -1 // refused below, with the range
		}
		if cfg.Timeout, err = client.TimeoutFromMillis(n); err != nil {
			return err
		}
	}
	if cfg.Storage, err = storageArg(arg(args, 1)); err != nil {
		return err
	}
	c, err := client.New(cfg)
	if err != nil {
		return err
	}
	nextID++
	clients[nextID] = &clientEntry{c: c, checked: map[int]*client.CheckedRedirect{}}
	full := c.Config()
	joined, _ := oauth.JoinScope(full.Scope)
	w.Open('{').Key("id").Int(int64(nextID)).Key("config").Open('{').
		Field(options.ClientID, full.ClientID).Field(options.RedirectURI, full.RedirectURI).
		Key(options.Scope).Strings(oauth.SplitScope(joined)).Field(options.Flow, full.Flow).
		Field(options.AuthorizeEndpoint, full.AuthorizeEndpoint).OptField(options.TokenEndpoint, full.TokenEndpoint).
		Field(options.MeEndpoint, full.MeEndpoint).OptField(options.Relay, full.Relay).Close('}').Close('}')
	return nil
}

// storageArg picks the pending-request storage: the caller's object, else
// sessionStorage in a browser (it survives the redirect but not the tab),
// else process memory.
func storageArg(v safejs.Value) (pending.Storage, error) {
	if browser.IsNullish(v) {
		if ss, ok := browser.SessionStorage(); ok {
			return ss, nil
		}
		return &pending.Memory{}, nil
	}
	if browser.TypeOf(v) != safejs.TypeObject {
		return nil, oauth.Invalid("storage must be an object with getItem, setItem and removeItem")
	}
	for _, m := range []string{"getItem", "setItem", "removeItem"} {
		f, err := browser.Get(v, m)
		if err != nil || browser.TypeOf(f) != safejs.TypeFunction {
			return nil, oauth.Invalid("storage must have a " + m + " method")
		}
	}
	return browser.Storage{V: v}, nil
}

// clientRelease(_, id) forgets a client: one closed with client.close(),
// or one the loader's FinalizationRegistry saw collected.
func clientRelease(w *wire.Writer, _ string, args []safejs.Value) error {
	if v := arg(args, 1); browser.TypeOf(v) == safejs.TypeNumber {
		id, _ := v.Int()
		delete(clients, id)
	}
	w.Null()
	return nil
}

// clientAuthorize(options, id) → {url, state, flow}
func clientAuthorize(w *wire.Writer, payload string, args []safejs.Value) error {
	e, err := clientArg(args)
	if err != nil {
		return err
	}
	all, err := optionsArg(payload)
	if err != nil {
		return err
	}
	o, extra := splitExtra(all)
	ao := client.AuthorizeOptions{Flow: get(o, options.Flow), State: get(o, options.State), AppState: get(o, options.AppState), Extra: extra}
	if s, present := scope(o); present {
		ao.Scope = s
	}
	a, err := e.c.Authorize(ao)
	if err != nil {
		return err
	}
	writeAuthorization(w, a, false)
	return nil
}

// clientHandleRedirect(url, id, clean, current) → the checked result with
// its id (`checked`). With current, the URL is the page's address,
// location.href, read here once (url is then empty). With clean, a URL
// that is the current address is removed from the address bar first,
// whatever happens next. The URL's length is oauth.ParseRedirect's to
// check.
func clientHandleRedirect(w *wire.Writer, payload string, args []safejs.Value) error {
	e, err := clientArg(args)
	if err != nil {
		return err
	}
	raw := payload
	current, _ := arg(args, 3).Bool()
	if current {
		if raw, err = browser.CurrentAddress(); err != nil {
			return err
		}
	}
	if clean, _ := arg(args, 2).Bool(); clean {
		browser.CleanAddressBar(raw, current)
	}
	cr, err := e.c.HandleRedirect(raw)
	if err != nil {
		return err
	}
	id := 0
	if cr.Redirect.Kind == oauth.KindCode {
		nextID++
		id = nextID
		e.checked[id] = cr
		if len(e.checked) > limits.MaxCheckedRedirects {
			oldest := id
			for k := range e.checked {
				oldest = min(oldest, k)
			}
			delete(e.checked, oldest)
		}
	}
	writeRedirect(w, cr.Redirect, func() {
		if id != 0 {
			w.Field("codeVerifier", cr.CodeVerifier).Field("redirectUri", cr.RedirectURI).Key("checked").Int(int64(id))
		}
		// JSON text; the loader parses it into result.appState.
		w.OptField("appState", cr.AppState)
	})
	return nil
}

// clientExchangeCode(_, id, checked, done)
func clientExchangeCode(_ string, args []safejs.Value) (job, error) {
	e, err := clientArg(args)
	if err != nil {
		return nil, err
	}
	id := 0
	if v := arg(args, 2); browser.TypeOf(v) == safejs.TypeNumber {
		id, _ = v.Int()
	}
	cr := e.checked[id]
	if cr == nil {
		return nil, oauth.Invalid("exchangeCode takes the result that this client's handleRedirect resolved to, once")
	}
	delete(e.checked, id)
	return tokenJob(func(ctx client.Context) (*oauth.Token, error) { return e.c.Exchange(ctx, cr) }), nil
}

// tokenJob is a job whose value is a token.
func tokenJob(get func(client.Context) (*oauth.Token, error)) job {
	return func(ctx client.Context, w *wire.Writer) error {
		t, err := get(ctx)
		if err != nil {
			return err
		}
		writeToken(w, t)
		return nil
	}
}

// clientRefresh(refreshToken, id, done)
func clientRefresh(payload string, args []safejs.Value) (job, error) {
	e, err := clientArg(args)
	if err != nil {
		return nil, err
	}
	return tokenJob(func(ctx client.Context) (*oauth.Token, error) { return e.c.Refresh(ctx, payload) }), nil
}

// clientSignOut(_, id, done)
func clientSignOut(_ string, args []safejs.Value) (job, error) {
	e, err := clientArg(args)
	if err != nil {
		return nil, err
	}
	return func(ctx client.Context, w *wire.Writer) error {
		if err := e.c.SignOut(ctx); err != nil {
			return err
		}
		w.Null()
		return nil
	}, nil
}

// clientMe(accessToken, id, done)
func clientMe(payload string, args []safejs.Value) (job, error) {
	e, err := clientArg(args)
	if err != nil {
		return nil, err
	}
	return func(ctx client.Context, w *wire.Writer) error {
		p, raw, err := e.c.Me(ctx, payload)
		if err != nil {
			return err
		}
		writeProfile(w, p, raw)
		return nil
	}, nil
}

func writeProfile(w *wire.Writer, p *scim.Profile, raw map[string]any) {
	w.Open('{').Field("id", p.ID).Field("userName", p.UserName).
		OptField("displayName", p.DisplayName).OptField("givenName", p.GivenName).OptField("familyName", p.FamilyName).
		OptField("locale", p.Locale).OptField("timezone", p.Timezone)
	w.Key("accounts").Open('[')
	for _, a := range p.Accounts {
		w.Open('{').Field("key", a.Key).OptField("name", a.Name)
		if a.Entitlements != nil {
			w.Key("entitlements").Strings(a.Entitlements)
		}
		w.Close('}')
	}
	w.Close(']').Key("legacy").Open('{')
	for _, f := range p.Legacy {
		w.Field(f.Name, f.Value)
	}
	w.Close('}').Key("raw").Any(raw).Close('}')
}
