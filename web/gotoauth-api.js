// gotoauth-api.js: the public API over the raw Go functions that
// wasm/bridge exports: gotoauth's functions and client(). Arguments are
// checked in JS where that is cheap (gotoauth-args.js) and cross into Go
// through gotoauth-channel.js; every rule about values lives in Go. A
// client's token state is its session's (gotoauth-session.js); its popup
// sign-in is gotoauth-popup.js'; its relay refresh and sign-out, which
// need no Go, gotoauth-relay.js'.
//
// The module may not run yet (gotoauth-load.js says when): a client is
// then made in JS from the contract's option rules, and its Go half when
// the module runs. An asynchronous call that needs Go waits for the
// module; a synchronous one throws not_ready; a module that failed to
// load fails the calls that need it, with load_failed, and the next such
// call tries again.
import { GoToAuthError } from './gotoauth-errors.js';
import {
  AUTHORIZE_URL_OPTIONS, CLIENT_CONFIG, CODE_USED, DEFAULT_API_ORIGINS, DEFAULT_AUTHORIZE_ENDPOINT, DEFAULT_ME_ENDPOINT,
  DEFAULT_TIMEOUT_MS, DEFAULT_TOKEN_ENDPOINT, FLOWS, HANDLE_REDIRECT_OPTIONS, MAX_BODY, NOT_READY,
  OPT_API_ORIGINS, OPT_AUTHORIZE_ENDPOINT, OPT_CLEAN_ADDRESS_BAR, OPT_CLIENT_ID, OPT_FLOW, OPT_ME_ENDPOINT,
  OPT_REDIRECT_URI, OPT_RELAY, OPT_SCOPE, OPT_STORAGE, OPT_TIMEOUT_MS, OPT_TOKEN_ENDPOINT, POPUP_CLOSED,
  RESPONSE_KINDS, RESPONSE_STATE, SIGN_IN_OPTIONS, UNSUPPORTED, VERSION,
} from './gotoauth-contract.js';
import {
  checkKeys, checkString, guarded, invalid, options, origins, own, typeName,
} from './gotoauth-args.js';
import { later } from './gotoauth-channel.js';
import { makeSession } from './gotoauth-session.js';
import { relayCalls } from './gotoauth-relay.js';
import { openPopup, inPopup, handOver } from './gotoauth-popup.js';

// carriesResponse tells whether a query or fragment (without its '?' or
// '#') is an authorization response: its state and a code, a token or an
// error (the names are wasm/oauth's, through gotoauth-contract.js).
function carriesResponse(part) {
  if (part === '') return false;
  let params;
  try {
    params = new URLSearchParams(part);
  } catch {
    return false;
  }
  return params.has(RESPONSE_STATE) && RESPONSE_KINDS.some((name) => params.has(name));
}

/** isRedirect tells whether href carries an authorization response, in its query or its fragment. */
function isRedirect(href) {
  let url;
  try {
    url = new URL(href);
  } catch {
    return false;
  }
  return carriesResponse(url.search.slice(1)) || carriesResponse(url.hash.slice(1));
}

// checkAPITarget refuses a URL that session.fetch must not send the
// client's token to: one with userinfo, or on an origin that apiOrigins
// (gotoauth-args.js' origins) does not name. Origins compare as the URL
// standard serialises them: scheme, host and port, exactly.
function checkAPITarget(href, origins) {
  const base = typeof document === 'object' && document !== null && document.baseURI ? document.baseURI
    : typeof location === 'object' && location !== null ? location.href : undefined;
  let url;
  try {
    url = new URL(href, base);
  } catch {
    throw invalid(`session.fetch takes a URL, not ${JSON.stringify(href.slice(0, 100))}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid(`session.fetch does not send the access token to a URL with userinfo (user:password@ before ${url.host})`);
  }
  if (!origins.has(url.origin)) {
    const allowed = origins.size ? [...origins].join(', ') : 'none';
    throw invalid(`session.fetch sends the access token only to the origins of the client's ${OPT_API_ORIGINS} (${allowed}), and ${url.origin} is not one of them: add your API's origin to ${OPT_API_ORIGINS} if the app means to send it there`);
  }
}

// configBeforeModule is client.config made from the form that options()
// wrote, by the contract's rules (the required options, the flows, the
// default endpoints), for a client made before the module runs; Go checks
// the values themselves when it does. It has Go's keys, in Go's order.
function configBeforeModule(form) {
  const f = new URLSearchParams(form);
  for (const [name, , required] of CLIENT_CONFIG) {
    if (required && !f.get(name)) throw invalid(`${name} is required`);
  }
  const flowName = (f.get(OPT_FLOW) ?? '').toLowerCase();
  const flow = flowName === '' ? FLOWS.code : FLOWS[flowName];
  if (!Object.prototype.hasOwnProperty.call(FLOWS, flowName || 'code')) {
    throw new GoToAuthError(UNSUPPORTED, `${OPT_FLOW} "${flowName.slice(0, 40)}" is not one of ${Object.keys(FLOWS).join(', ')}`);
  }
  const relay = f.get(OPT_RELAY);
  const config = {
    [OPT_CLIENT_ID]: f.get(OPT_CLIENT_ID),
    [OPT_REDIRECT_URI]: f.get(OPT_REDIRECT_URI),
    // As oauth.JoinScope: split at plain spaces only, each scope once.
    [OPT_SCOPE]: [...new Set((f.get(OPT_SCOPE) ?? '').split(' ').filter((x) => x !== ''))],
    [OPT_FLOW]: flow,
    [OPT_AUTHORIZE_ENDPOINT]: f.get(OPT_AUTHORIZE_ENDPOINT) || DEFAULT_AUTHORIZE_ENDPOINT,
  };
  if (relay === null) config[OPT_TOKEN_ENDPOINT] = f.get(OPT_TOKEN_ENDPOINT) || DEFAULT_TOKEN_ENDPOINT;
  config[OPT_ME_ENDPOINT] = f.get(OPT_ME_ENDPOINT) || DEFAULT_ME_ENDPOINT;
  if (relay !== null) config[OPT_RELAY] = relay;
  return config;
}

const notReady = (what) => new GoToAuthError(NOT_READY, `${what} needs the gotoauth module, which is still loading: await gotoauth.ready() first`);

/**
 * wrapAPI is the public API over mod, the module as gotoauth-load.js
 * hands it: mod.running is {raw, call} once the module runs (raw: the
 * object wasm/cmd/gotoauth hands the loader), mod.ready() a Promise of it.
 */
export function wrapAPI(mod) {
  // now returns the running module for a synchronous call, or throws: a
  // call that meets a module not running starts it (again, after a failed
  // start, whose load_failed it throws), so that a later call finds it
  // running even on a page whose relay client never asked for a token.
  const now = (what) => {
    if (mod.running) return mod.running;
    const { failed } = mod;
    mod.ready().catch(() => {});
    throw failed ?? notReady(what);
  };
  // Results that handleRedirect resolved to, and their ids on the Go side:
  // only these can be exchanged, and a copy made by hand is not one.
  const checked = new WeakMap();
  // Results already exchanged: a second exchangeCode of one says so.
  const exchanged = new WeakSet();
  const release = typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((id) => mod.running?.call(mod.running.raw.clientRelease, '', id)) : null;

  function client(config) {
    const form = options(config, 'client config', CLIENT_CONFIG);
    const storage = own(config, OPT_STORAGE);
    // The client's Go half: {id, config}, made now when the module runs,
    // else when a call first needs it (go); made once, and a
    // configuration Go refuses is refused to every call that needs it.
    let goHalf = null;
    let goRefused = null;
    let self = null; // the client, once made: released with its Go half
    const goNow = (what) => {
      if (goRefused) throw goRefused;
      if (goHalf) return goHalf;
      const { raw, call } = now(what);
      try {
        goHalf = call(raw.newClient, form, storage);
      } catch (err) {
        goRefused = err;
        throw err;
      }
      if (self) release?.register(self, goHalf.id, self);
      return goHalf;
    };
    const go = async (what) => {
      await mod.ready();
      return goNow(what);
    };
    // apiOrigins: their form is checked now, in JS; the TLS rule of the
    // client's endpoints, which lives in Go (oauth.CheckBearerURL), now if
    // the module runs, else once it does and before session.fetch sends
    // anything (apiOriginsChecked): a client made before the module is
    // refused nothing that it would have been refused after.
    const givenOrigins = own(config, OPT_API_ORIGINS) ?? DEFAULT_API_ORIGINS;
    const checkOrigins = ({ raw, call }) => origins(givenOrigins, OPT_API_ORIGINS, (o) => call(raw.checkBearerURL, o));
    const allowed = mod.running ? checkOrigins(mod.running) : origins(givenOrigins, OPT_API_ORIGINS, null);
    const apiOrigins = new Set(allowed);
    let originsChecked = Boolean(mod.running);
    const apiOriginsChecked = async () => {
      if (originsChecked) return;
      checkOrigins(await mod.ready()); // throws as client() would have
      originsChecked = true;
    };
    const lazy = !mod.running;
    const made = lazy ? { config: configBeforeModule(form) } : goNow('client');
    const relay = made.config.relay;
    const relayMode = relay !== undefined;
    const timeout = own(config, OPT_TIMEOUT_MS) ?? DEFAULT_TIMEOUT_MS;
    const viaRelay = relayMode ? relayCalls(relay, timeout) : null;
    if (lazy && relayMode) mod.defer(); // until its first token is in
    else if (lazy) mod.ready().catch(() => {}); // wanted by calls soon
    let deferred = lazy && relayMode;
    // undefer lets the background start go once this client holds it off
    // no more: its first token call settled, or it was closed.
    const undefer = () => {
      if (!deferred) return;
      deferred = false;
      mod.done();
    };
    // raw and call are the module's once it runs.
    const m = () => mod.running;
    // client.session (gotoauth-session.js) holds the client's token: the
    // client's methods hand it the calls that bring one, and the sign-out.
    const { session, internal } = makeSession({
      clientId: made.config.clientId,
      relayMode,
      refresh: relayMode
        ? (token) => (token === undefined ? viaRelay.refresh()
          : Promise.reject(invalid('through a relay, refresh takes no refresh token: the relay keeps it')))
        : async (token) => {
          const { id } = await go('refresh');
          return later(m().call, m().raw.clientRefresh, token === undefined ? '' : checkString(token, "refresh's refresh token"), id);
        },
      // Without a relay nothing is held anywhere but in this page.
      signOut: relayMode ? () => viaRelay.signOut() : () => Promise.resolve(),
      firstSettled: undefer,
      checkAPITarget: async (href) => {
        checkAPITarget(href, apiOrigins);
        await apiOriginsChecked();
      },
    });
    let closed = false; // client.close() was called
    // live wraps a method that a closed client refuses.
    const live = (f, what, async = false) => guarded((...args) => {
      if (closed) throw invalid(`${what}: this client is closed (client.close() was called): make a new one`);
      return f(...args);
    }, what, async);
    // needing wraps an asynchronous method that needs the client's Go
    // half: it waits for the module when it does not run yet.
    const needing = (f, what) => live((...args) => {
      if (mod.running && goHalf) return f(...args);
      return go(what).then(() => {
        if (closed) throw invalid(`${what}: this client is closed (client.close() was called): make a new one`);
        return f(...args);
      });
    }, what, true);
    const authorize = (o, what) => {
      const { id } = goNow(what);
      return m().call(m().raw.clientAuthorize, options(o, what, SIGN_IN_OPTIONS, { allowMissing: true }), id);
    };
    // handle checks and consumes a redirect's state (wasm/client). Without
    // a URL the module reads location.href itself, once.
    const handle = (url, clean, epoch) => {
      const current = url == null;
      const result = m().call(m().raw.clientHandleRedirect, current ? '' : checkString(url, "handleRedirect's url"), goHalf.id, clean, current);
      if (result.checked !== undefined) {
        const checkedId = result.checked;
        delete result.checked;
        checked.set(result, checkedId);
      }
      if (result.appState !== undefined) result.appState = JSON.parse(result.appState);
      if (result.kind === 'token') internal.redirected(result.token, epoch);
      return result;
    };
    // handleRedirect's body; its epoch is the call's (internal.epoch() when
    // it was called), so that a sign-out while it waits for the module
    // keeps its token out of the session.
    const handleRedirect = needing((epoch, url, o) => {
      let clean = true;
      if (o != null) {
        if (typeof o !== 'object') throw invalid('handleRedirect options must be an object');
        checkKeys(o, 'handleRedirect options', HANDLE_REDIRECT_OPTIONS);
        const c = own(o, OPT_CLEAN_ADDRESS_BAR);
        if (c != null && typeof c !== 'boolean') throw invalid(`${OPT_CLEAN_ADDRESS_BAR} must be a boolean`);
        clean = c !== false;
      }
      if (url == null) {
        // In a popup, the redirect may be its opener's signInWithPopup's
        // (gotoauth-popup.js): offered there first.
        let parsed = null;
        const href = inPopup() ? location.href : null;
        if (href != null) {
          try { parsed = m().call(m().raw.parseRedirect, checkString(href, "handleRedirect's url")); } catch { /* not a redirect: handled below */ }
        }
        if (parsed) {
          return handOver(made.config.clientId, href).then((taken) => {
            if (!taken) return handle(href, clean, epoch);
            try { globalThis.close(); } catch { /* the opener closes it */ }
            return { kind: 'popup', state: parsed.state };
          });
        }
      }
      return handle(url, clean, epoch);
    }, 'handleRedirect');
    const popups = new Set(); // cancel functions of popup sign-ins under way
    const api = Object.freeze({
      config: Object.freeze({ ...made.config, scope: Object.freeze(made.config.scope), apiOrigins: Object.freeze(allowed) }),
      session,
      authorize: live((o) => authorize(o, 'authorize'), 'authorize'),
      // signInWithPopup: see gotoauth-popup.js. window.open is called
      // before this returns, inside the user's click; when the module is
      // still loading, as soon as it runs, within the click's user
      // activation (which outlasts a module's start).
      signInWithPopup: needing((o) => {
        const a = authorize(o, 'signInWithPopup options');
        // The popup window is reused by name: a sign-in waiting in it ends.
        for (const earlier of popups) earlier(new GoToAuthError(POPUP_CLOSED, 'another signInWithPopup took over the sign-in popup'), false);
        const { promise, cancel } = openPopup({
          clientId: made.config.clientId, url: a.url, state: a.state,
          stateOf: (url) => { try { return m().call(m().raw.parseRedirect, url).state; } catch { return undefined; } },
          finish: async (url) => {
            const r = await api.handleRedirect(url, { [OPT_CLEAN_ADDRESS_BAR]: false });
            const t = r.kind === 'code' ? await api.exchangeCode(r) : r.token;
            return r.appState === undefined ? t : { ...t, appState: r.appState };
          },
        });
        popups.add(cancel);
        return promise.finally(() => popups.delete(cancel));
      }, 'signInWithPopup'),
      handleRedirect: (url, o) => handleRedirect(internal.epoch(), url, o),
      exchangeCode: live((result) => {
        const cb = result != null && typeof result === 'object' ? checked.get(result) : undefined;
        if (cb === undefined && result != null && typeof result === 'object' && exchanged.has(result)) {
          throw new GoToAuthError(CODE_USED, 'this code was already exchanged, and a code is used once: sign in again');
        }
        if (cb === undefined) {
          throw invalid('exchangeCode takes the result that handleRedirect resolved to, so that the code\'s state has been checked');
        }
        checked.delete(result);
        exchanged.add(result);
        // Through a relay the page posts the code itself (gotoauth-relay.js);
        // the checked result, used once here, is never handed to Go.
        if (relayMode) return internal.exchanged(viaRelay.exchange(result));
        // A checked result exists only once the module ran.
        return internal.exchanged(later(m().call, m().raw.clientExchangeCode, '', goHalf.id, cb));
      }, 'exchangeCode', true),
      // Through a relay, refresh() takes no token: the relay keeps it.
      refresh: live((token) => internal.refreshed(token), 'refresh', true),
      signOut: live(() => internal.signOut(), 'signOut', true),
      // isRedirect needs no state and no module: it works on a closed client too.
      isRedirect: guarded((url) => {
        if (url != null) return isRedirect(checkString(url, "isRedirect's url"));
        if (typeof location !== 'object' || location === null) throw invalid('isRedirect needs a url outside a browser');
        return isRedirect(String(location.href));
      }, 'isRedirect'),
      me: needing((token) => later(m().call, m().raw.clientMe, checkString(token, "me's access token"), goHalf.id), 'me'),
      // close releases what the client holds: its session's BroadcastChannel
      // and its state in the module. It is not a sign-out.
      close: () => {
        if (closed) return;
        closed = true;
        for (const cancel of popups) cancel(invalid('signInWithPopup: this client was closed (client.close() was called)'));
        internal.close();
        release?.unregister(api);
        undefer();
        if (goHalf && mod.running) m().call(m().raw.clientRelease, '', goHalf.id);
      },
    });
    self = api;
    if (goHalf) release?.register(api, goHalf.id, api);
    return api;
  }

  const api = Object.freeze({
    // The package's version, which the module reports too: known before it runs.
    version: VERSION,
    /** A Promise of this API once the module runs (starting it when it does not yet). */
    ready: () => mod.ready().then(() => api),
    pkce: guarded(() => { const r = now('pkce'); return r.call(r.raw.pkce, ''); }, 'pkce'),
    authorizeURL: guarded((o) => {
      const r = now('authorizeURL');
      return r.call(r.raw.authorizeURL, options(o, 'authorizeURL options', AUTHORIZE_URL_OPTIONS));
    }, 'authorizeURL'),
    parseRedirect: guarded((url) => { const r = now('parseRedirect'); return r.call(r.raw.parseRedirect, checkString(url, "parseRedirect's url")); }, 'parseRedirect'),
    normalizeTokenResponse: guarded((response) => {
      let text = response;
      if (typeof response === 'object' && response !== null && !Array.isArray(response)) {
        // Go reads the response as JSON text, as it reads HTTP bodies.
        // JSON.stringify writes NaN and Infinity as null: such a number
        // is refused here, before it is text.
        text = JSON.stringify(response, (key, v) => {
          if (typeof v === 'number' && !Number.isFinite(v)) throw invalid(`normalizeTokenResponse: ${key || 'a value'} is ${v}, not a finite number`);
          return v;
        });
      } else if (typeof response !== 'string') {
        throw invalid(`normalizeTokenResponse takes a token response object or its JSON text, not ${typeName(response)}`);
      }
      const r = now('normalizeTokenResponse');
      return r.call(r.raw.normalizeTokenResponse, checkString(text, 'the token response', MAX_BODY));
    }, 'normalizeTokenResponse'),
    migrateURL: guarded((url) => { const r = now('migrateURL'); return r.call(r.raw.migrateURL, checkString(url, "migrateURL's url")); }, 'migrateURL'),
    client: guarded(client, 'client'),
  });
  return api;
}
