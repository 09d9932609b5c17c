// gotoauth-api.js: the public API over the raw Go functions that
// wasm/bridge exports: gotoauth's functions and client(). Arguments are
// checked in JS where that is cheap (gotoauth-args.js) and cross into Go
// through gotoauth-channel.js; every rule about values lives in Go. A
// client's token state is its session's (gotoauth-session.js); its popup
// sign-in is gotoauth-popup.js'.
import { GoToAuthError } from './gotoauth-errors.js';
import {
  AUTHORIZE_URL_OPTIONS, CLIENT_CONFIG, CODE_USED, DEFAULT_API_ORIGINS, HANDLE_REDIRECT_OPTIONS, MAX_BODY,
  OPT_API_ORIGINS, OPT_CLEAN_ADDRESS_BAR, OPT_STORAGE, POPUP_CLOSED, RESPONSE_KINDS, RESPONSE_STATE, SIGN_IN_OPTIONS,
} from './gotoauth-contract.js';
import {
  checkKeys, checkString, guarded, invalid, options, origins, own, typeName,
} from './gotoauth-args.js';
import { channel, later } from './gotoauth-channel.js';
import { makeSession } from './gotoauth-session.js';
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

/** wrapAPI is the public API over raw, the object wasm/cmd/gotoauth hands the loader. */
export function wrapAPI(raw) {
  const call = channel(raw);
  // Results that handleRedirect resolved to, and their ids on the Go side:
  // only these can be exchanged, and a copy made by hand is not one.
  const checked = new WeakMap();
  // Results already exchanged: a second exchangeCode of one says so.
  const exchanged = new WeakSet();
  const release = typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((id) => call(raw.clientRelease, '', id)) : null;

  function client(config) {
    const form = options(config, 'client config', CLIENT_CONFIG);
    const allowed = origins(own(config, OPT_API_ORIGINS) ?? DEFAULT_API_ORIGINS, OPT_API_ORIGINS, (o) => call(raw.checkBearerURL, o));
    const apiOrigins = new Set(allowed);
    const made = call(raw.newClient, form, own(config, OPT_STORAGE));
    const id = made.id;
    // client.session (gotoauth-session.js) holds the client's token: the
    // client's methods hand it the calls that bring one, and the sign-out.
    const { session, internal } = makeSession({
      clientId: made.config.clientId,
      relayMode: made.config.relay !== undefined,
      refresh: (token) => later(call, raw.clientRefresh, token === undefined ? '' : checkString(token, "refresh's refresh token"), id),
      signOut: () => later(call, raw.clientSignOut, '', id),
      checkBearerURL: (origin) => call(raw.checkBearerURL, origin),
      checkAPITarget: (href) => checkAPITarget(href, apiOrigins),
    });
    let closed = false; // client.close() was called
    // live wraps a method that a closed client refuses.
    const live = (f, what, async = false) => guarded((...args) => {
      if (closed) throw invalid(`${what}: this client is closed (client.close() was called): make a new one`);
      return f(...args);
    }, what, async);
    const authorize = (o, what) => call(raw.clientAuthorize, options(o, what, SIGN_IN_OPTIONS, { allowMissing: true }), id);
    // handle checks and consumes a redirect's state (wasm/client). Without
    // a URL the module reads location.href itself, once.
    const handle = (url, clean) => {
      const current = url == null;
      const result = call(raw.clientHandleRedirect, current ? '' : checkString(url, "handleRedirect's url"), id, clean, current);
      if (result.checked !== undefined) {
        const checkedId = result.checked;
        delete result.checked;
        checked.set(result, checkedId);
      }
      if (result.appState !== undefined) result.appState = JSON.parse(result.appState);
      if (result.kind === 'token') internal.redirected(result.token);
      return result;
    };
    const popups = new Set(); // cancel functions of popup sign-ins under way
    const api = Object.freeze({
      config: Object.freeze({ ...made.config, scope: Object.freeze(made.config.scope), apiOrigins: Object.freeze(allowed) }),
      session,
      authorize: live((o) => authorize(o, 'authorize options'), 'authorize'),
      // signInWithPopup: see gotoauth-popup.js. window.open is called
      // before this returns, inside the user's click.
      signInWithPopup: live((o) => {
        const a = authorize(o, 'signInWithPopup options');
        // The popup window is reused by name: a sign-in waiting in it ends.
        for (const earlier of popups) earlier(new GoToAuthError(POPUP_CLOSED, 'another signInWithPopup took over the sign-in popup'), false);
        const { promise, cancel } = openPopup({
          clientId: made.config.clientId, url: a.url, state: a.state,
          stateOf: (url) => { try { return call(raw.parseRedirect, url).state; } catch { return undefined; } },
          finish: async (url) => {
            const r = await api.handleRedirect(url, { [OPT_CLEAN_ADDRESS_BAR]: false });
            const t = r.kind === 'code' ? await api.exchangeCode(r) : r.token;
            return r.appState === undefined ? t : { ...t, appState: r.appState };
          },
        });
        popups.add(cancel);
        return promise.finally(() => popups.delete(cancel));
      }, 'signInWithPopup', true),
      handleRedirect: live((url, o) => {
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
            try { parsed = call(raw.parseRedirect, checkString(href, "handleRedirect's url")); } catch { /* not a redirect: handled below */ }
          }
          if (parsed) {
            return handOver(made.config.clientId, href).then((taken) => {
              if (!taken) return handle(href, clean);
              try { globalThis.close(); } catch { /* the opener closes it */ }
              return { kind: 'popup', state: parsed.state };
            });
          }
        }
        return handle(url, clean);
      }, 'handleRedirect', true),
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
        return internal.exchanged(later(call, raw.clientExchangeCode, '', id, cb));
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
      me: live((token) => later(call, raw.clientMe, checkString(token, "me's access token"), id), 'me', true),
      // close releases what the client holds: its session's BroadcastChannel
      // and its state in the module. It is not a sign-out.
      close: () => {
        if (closed) return;
        closed = true;
        for (const cancel of popups) cancel(invalid('signInWithPopup: this client was closed (client.close() was called)'));
        internal.close();
        release?.unregister(api);
        call(raw.clientRelease, '', id);
      },
    });
    release?.register(api, id, api);
    return api;
  }

  return Object.freeze({
    version: raw.version,
    pkce: guarded(() => call(raw.pkce, ''), 'pkce'),
    authorizeURL: guarded((o) => call(raw.authorizeURL, options(o, 'authorizeURL options', AUTHORIZE_URL_OPTIONS)), 'authorizeURL'),
    parseRedirect: guarded((url) => call(raw.parseRedirect, checkString(url, "parseRedirect's url")), 'parseRedirect'),
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
      return call(raw.normalizeTokenResponse, checkString(text, 'the token response', MAX_BODY));
    }, 'normalizeTokenResponse'),
    migrateURL: guarded((url) => call(raw.migrateURL, checkString(url, "migrateURL's url")), 'migrateURL'),
    client: guarded(client, 'client'),
  });
}
