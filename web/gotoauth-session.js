// gotoauth-session.js: client.session, a token that stays fresh across the
// tabs of an origin, and a fetch that carries it; and the one home of the
// client's token state. Imported by gotoauth-api.js, which makes one session
// per client and hands it the calls that bring tokens (exchangeCode,
// refresh, an implicit handleRedirect) and the sign-out: every token enters
// through accept(), which holds the sign-out generation rule.
//
// What is held where:
//   - The access token lives in this page's memory only: never in
//     localStorage or sessionStorage.
//   - Outside relay mode (Node, a backend with clientSecret) the session
//     keeps the last refresh token in memory, to refresh with. In relay mode
//     the refresh token stays in the relay's HttpOnly cookie: it never
//     reaches the page, so it can never cross the channel.
//   - Tabs of one origin tell each other new tokens (without refreshToken,
//     in every mode) and sign-outs over a BroadcastChannel named per client
//     id. A tab without a token asks the others before asking the relay.
//   - In relay mode, a page keeps one non-secret mark in localStorage,
//     'gotoauth.relay.<clientId>' = '1', while this browser holds a sign-in
//     at the relay: set when the relay answers with a token, removed at
//     sign-out and when the relay says there is no sign-in. A page with no
//     token and no mark knows there is nothing to renew, and token()
//     rejects with reauthenticate without asking the relay (whose 401
//     every browser would log). Where localStorage cannot be used, the
//     relay is asked, as if the mark were there. No token is ever stored.
//   - A sign-out bumps a generation: a refresh or code exchange begun
//     before it puts nothing back when it settles (accept, here only).
//     client.close() ends the session in this page and closes its channel.
//   - Nothing polls: expiry is computed from expiresAt when a token is
//     asked for. Two timers run, each only while a call waits: a tab
//     without a token waits ASK_TABS_MS for the other tabs' answer
//     (askTabs), and session.fetch waits out a Retry-After of at most
//     MAX_RETRY_AFTER_MS (ended by the request's signal). Both are the
//     caller's own call in progress, so they hold Node's loop as a
//     request's socket would, and nothing is left once it settles.
//
// One refresh at a time, and why a late message does not cost a second one.
// (This is the one place the lock-versus-channel race is explained; other
// places point here.)
//
// Refreshes of one client id are serialised: in a browser by a Web Lock
// ('gotoauth:refresh:' + clientId), which also serialises the tabs of the
// origin; where there are no Web Locks (Node 20), by an in-page promise
// chain per client id. Inside the lock a refresh is skipped when the
// session's token is no longer the one that prompted it (another caller, in
// this page or, through the channel, in another tab, already replaced it):
// the new one is used.
//
// That check alone does not hold across tabs: tab A refreshes under the
// lock, posts the new token and releases the lock; tab B, waiting for the
// lock, may get it before A's message reaches it (the release of a lock and
// a channel message are not ordered against each other), still see the old
// token, and refresh again. What makes that harmless is the relay: it
// answers a refresh whose cookie completed a refresh a moment ago
// (limits.RelayCompletedMemory) from memory, with the same answer
// (web/relay/refresh.go). B's late refresh comes right after A's, with the
// same cookie (or with the rotated-out one, which the relay's rotation
// memory, limits.RelayRotationMemory, answers the same way), so it gets A's access token: GoTo is reached once and both
// tabs hold one token. A's message, when it arrives, carries that same
// token and changes nothing. Outside relay mode there are no tabs: the
// in-page chain and the check are the whole story.
import { GoToAuthError } from './gotoauth-errors.js';
// The limits (wasm/limits): a token is refreshed when it has less than
// EXPIRY_MARGIN_MS left; a tab without a token waits ASK_TABS_MS for
// another tab's answer; session.fetch waits for a Retry-After of at most
// MAX_RETRY_AFTER_MS.
import {
  ASK_TABS_MS, EXPIRY_MARGIN_MS, INVALID_ARGUMENT, MAX_RETRY_AFTER_MS, REAUTHENTICATE,
} from './gotoauth-contract.js';

/**
 * Where a session's token came from, as its 'change' event's `source`
 * says: a code exchange or an implicit redirect; this tab's refresh; this
 * tab's refresh that brought back the access token the session already
 * held (the relay answered from its short memory); another tab.
 */
export const SOURCE = Object.freeze({ exchange: 'exchange', refresh: 'refresh', memory: 'memory', tab: 'tab' });

const inPageLocks = new Map(); // clientId → tail of the promise chain

function withLock(clientId, fn) {
  const locks = globalThis.navigator?.locks;
  if (locks && typeof locks.request === 'function') {
    return locks.request(`gotoauth:refresh:${clientId}`, fn);
  }
  const tail = inPageLocks.get(clientId) || Promise.resolve();
  const run = tail.then(fn, fn);
  const next = run.then(() => {}, () => {});
  inPageLocks.set(clientId, next);
  next.then(() => { if (inPageLocks.get(clientId) === next) inPageLocks.delete(clientId); });
  return run;
}

// A Node process has no other tabs: no channel there (an open
// BroadcastChannel would also keep the process alive).
function openChannel(clientId) {
  if (typeof BroadcastChannel !== 'function') return null;
  if (typeof document === 'undefined' && typeof globalThis.process?.versions?.node === 'string') return null;
  try {
    return new BroadcastChannel(`gotoauth:${clientId}`);
  } catch {
    return null;
  }
}

/** The token as the page may see it and the channel may carry it: no refreshToken. */
function publicToken(t) {
  if (!t) return t;
  const { refreshToken, ...rest } = t; // eslint-disable-line no-unused-vars
  return rest;
}

// The relay sign-in mark (see the top of this file): get, put, remove. A
// storage that throws (blocked, full, sandboxed) counts as "ask the relay".
function relayMark(clientId) {
  const key = `gotoauth.relay.${clientId}`;
  const storage = () => {
    try {
      const ls = typeof document === 'undefined' ? undefined : globalThis.localStorage;
      return ls && typeof ls.getItem === 'function' ? ls : null;
    } catch {
      return null;
    }
  };
  return {
    /** false only when the mark is known to be absent. */
    maybe() {
      const ls = storage();
      try { return ls === null || ls.getItem(key) === '1'; } catch { return true; }
    },
    put() { try { storage()?.setItem(key, '1'); } catch { /* ask the relay next time */ } },
    remove() { try { storage()?.removeItem(key); } catch { /* nothing to do */ } },
  };
}

function fresh(t, now = Date.now()) {
  return typeof t.expiresAt !== 'number' || t.expiresAt - now > EXPIRY_MARGIN_MS;
}

function reauth(message) {
  return new GoToAuthError(REAUTHENTICATE, message);
}

function isToken(t) {
  return t !== null && typeof t === 'object' && typeof t.accessToken === 'string' && t.accessToken !== '';
}

/** Retry-After as milliseconds to wait, or null when absent or unreadable. */
function retryAfterMs(value, now = Date.now()) {
  if (value == null) return null;
  const v = String(value).trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
    // Not unref'd in Node: the wait is part of the caller's request, which
    // is still being awaited (an unref'd timer would let Node exit in the
    // middle of it, leaving the caller's await unsettled). It is bounded
    // by MAX_RETRY_AFTER_MS and ends with the request's signal.
    const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// client.session's class, made on first use rather than when the module is
// imported, so that importing the package touches no global.
let SessionClass = null;
function sessionClass() {
  if (SessionClass) return SessionClass;
  /**
   * client.session: an EventTarget with token(), fetch() and current. Its
   * events: 'change' (detail: the new token, without refreshToken; source:
   * where it came from, one of SOURCE), 'expired' (detail: the token that
   * expired and could not be renewed), 'signedout'.
   */
  SessionClass = class Session extends EventTarget {
    #impl;
    constructor(impl) {
      super();
      this.#impl = impl;
    }
    /** A Promise of a token with more than EXPIRY_MARGIN_MS left, refreshed first when needed. */
    token() { return this.#impl.token(); }
    /** fetch with Authorization: Bearer; see the README for the retries. */
    fetch(input, init) { return this.#impl.fetch(input, init); }
    /** The current token (without refreshToken), or null; never refreshes. */
    get current() { return this.#impl.current(); }
  };
  return SessionClass;
}

/**
 * makeSession returns {session, internal}: session is client.session,
 * internal is what the client's methods call (exchanged, refreshed,
 * redirected, signOut, close). refresh(rt) is the client's raw refresh (no
 * argument in relay mode), signOut() its raw sign-out; checkAPITarget(url) throws where the
 * client's apiOrigins do not let session.fetch go; checkBearerURL(origin)
 * throws where session.fetch must not send the token.
 */
export function makeSession({ clientId, relayMode, refresh, signOut, checkBearerURL, checkAPITarget }) {
  let target; // the session itself: events fire on it
  let current = null;        // the token, without refreshToken
  let refreshToken = null;   // outside relay mode only
  // Bumped by every sign-out (and by close): a call begun before one puts
  // nothing back when it settles (accept).
  let generation = 0;
  let inFlight = 0;          // token calls of the client under way (settle)
  let closed = false;        // client.close() was called
  const mark = relayMode ? relayMark(clientId) : null;
  let refreshing = null;     // {from, promise}: this page's refresh under way
  let expiredFor = null;     // the access token 'expired' was fired for
  const channel = openChannel(clientId);

  const fire = (type, detail, source) => {
    const ev = new CustomEvent(type, { detail });
    if (source !== undefined) Object.defineProperty(ev, 'source', { value: source, enumerable: true });
    return target.dispatchEvent(ev);
  };
  const post = (m) => { try { channel?.postMessage(m); } catch { /* closed */ } };

  /**
   * accept is the one way a token enters the session, from any source:
   * a token that a call begun in generation `epoch` brought is stored
   * unless a sign-out (or close) came in between; then nothing is stored
   * and it returns false. 'change' fires when the access token changed,
   * or with source 'memory' when this tab's refresh brought back the one
   * it holds; tokens of this tab's own are told to the other tabs.
   */
  function accept(t, source, epoch = generation) {
    if (closed || epoch !== generation || !isToken(t)) return false;
    if (!relayMode && typeof t.refreshToken === 'string' && t.refreshToken !== '') refreshToken = t.refreshToken;
    const pub = publicToken(t);
    const same = current !== null && current.accessToken === pub.accessToken;
    current = pub;
    if (source === SOURCE.refresh && same) {
      fire('change', pub, SOURCE.memory);
      return true;
    }
    if (same) return true;
    if (source !== SOURCE.tab) post({ type: 'token', token: pub });
    fire('change', pub, source);
    return true;
  }

  // relayGone forgets the relay mark when the relay said there is no
  // sign-in (reauthenticate).
  function relayGone(err) {
    if (mark && err instanceof GoToAuthError && err.code === REAUTHENTICATE) mark.remove();
  }

  function clear() {
    generation++;
    current = null;
    refreshToken = null;
    refreshing = null;
  }

  if (channel) {
    channel.onmessage = (ev) => {
      const m = ev.data;
      if (!m || typeof m !== 'object') return;
      switch (m.type) {
        case 'token':
          // A token from another tab is taken unless this tab holds one
          // that lives longer.
          if (isToken(m.token) && !(current && (current.expiresAt ?? Infinity) > (m.token.expiresAt ?? Infinity))) {
            accept(m.token, SOURCE.tab);
          }
          break;
        case 'ask':
          if (current && fresh(current)) post({ type: 'answer', id: m.id, token: current });
          break;
        case 'signedout':
          clear();
          fire('signedout');
          break;
        default:
      }
    };
  }

  // askTabs resolves to another tab's fresh token, or null after a short wait.
  function askTabs() {
    if (!channel) return Promise.resolve(null);
    const id = Math.random().toString(36).slice(2) + Date.now().toString(36);
    const ask = new BroadcastChannel(`gotoauth:${clientId}`);
    return new Promise((resolve) => {
      const done = (t) => { clearTimeout(timer); ask.close(); resolve(t); };
      const timer = setTimeout(() => done(null), ASK_TABS_MS);
      ask.onmessage = (ev) => {
        const m = ev.data;
        if (m && m.type === 'answer' && m.id === id && isToken(m.token) && fresh(m.token)) done(publicToken(m.token));
      };
      ask.postMessage({ type: 'ask', id });
    });
  }

  // renew replaces `from` (the access token that prompted it, or null when
  // there was none) under the lock. Calls of this page share one renewal.
  function renew(from) {
    if (refreshing && refreshing.from === from) return refreshing.promise;
    const epoch = generation;
    const promise = withLock(clientId, async () => {
      // Another caller (here, or another tab through the channel) already
      // replaced the token that prompted this: use theirs.
      if (current && current.accessToken !== from && fresh(current)) return current;
      if (!relayMode && !refreshToken) throw reauth('the session has no refresh token: sign in again');
      let t;
      try {
        t = await (relayMode ? refresh() : refresh(refreshToken));
      } catch (err) {
        if (epoch === generation) relayGone(err);
        throw err;
      }
      if (!accept(t, SOURCE.refresh, epoch)) throw reauth('signed out while refreshing');
      mark?.put();
      return current;
    }).finally(() => {
      if (refreshing && refreshing.promise === promise) refreshing = null;
    });
    refreshing = { from, promise };
    return promise;
  }

  function expire(t, err) {
    if (t && expiredFor !== t.accessToken) {
      expiredFor = t.accessToken;
      fire('expired', t);
    }
    return Promise.reject(err);
  }

  const closedError = () => new GoToAuthError(INVALID_ARGUMENT, 'this client is closed (client.close() was called): make a new one');

  async function token() {
    if (closed) throw closedError();
    const t = current;
    if (t && fresh(t)) return t;
    if (!t) {
      const theirs = await askTabs();
      if (theirs && !current) accept(theirs, SOURCE.tab);
      if (current && fresh(current)) return current;
      if (!relayMode && !refreshToken) throw reauth('there is no token: sign in');
      if (relayMode && !mark.maybe()) throw reauth('this browser has not signed in through the relay (or signed out): sign in');
    } else if (!relayMode && !refreshToken) {
      // An implicit-flow token (or one without a refresh token) cannot be renewed.
      return expire(t, reauth('the token expired and cannot be refreshed: sign in again'));
    }
    try {
      return await renew(t ? t.accessToken : null);
    } catch (err) {
      if (err instanceof GoToAuthError && err.code === REAUTHENTICATE) return expire(t, err);
      throw err;
    }
  }

  // After a 401 with the token `failed`: the current token if another
  // call already replaced it, else one refresh.
  async function after401(failed) {
    if (current && current.accessToken !== failed && fresh(current)) return current;
    if (!relayMode && !refreshToken) throw reauth('the token was refused and cannot be refreshed: sign in again');
    return renew(failed);
  }

  async function sessionFetch(input, init = undefined) {
    if (closed) throw closedError();
    // Only to the origins of the client's apiOrigins, whoever's
    // Authorization it carries; checked before the Request, which refuses
    // userinfo with a bare TypeError.
    checkAPITarget(input instanceof Request ? input.url : String(input));
    const request = new Request(input, init); // validates input and init as fetch would
    const own = request.headers.has('Authorization');
    if (!own) {
      // RFC 6750 §5.3: the bearer token goes over TLS only (loopback aside),
      // by the rule the client's own endpoints follow, which lives in Go.
      const u = new URL(request.url);
      checkBearerURL(`${u.protocol}//${u.host}/`);
    }
    const body = init?.body;
    const replayable = !(typeof ReadableStream === 'function' && body instanceof ReadableStream)
      && !(input instanceof Request && input.body !== null && body === undefined && input.bodyUsed);
    const redirect = init?.redirect ?? 'error';
    // The request is cloned for each try, so that its body can be sent
    // again; a ReadableStream body cannot be, and is sent once, as it is.
    const send = (t) => {
      const r = replayable ? request.clone() : request;
      const headers = new Headers(r.headers);
      if (!own) headers.set('Authorization', `Bearer ${t.accessToken}`);
      return fetch(r, { headers, redirect });
    };
    let t = own ? null : await token();
    let resp = await send(t);
    if (!replayable) return resp;
    if (resp.status === 401 && !own) {
      const next = await after401(t.accessToken);
      await resp.body?.cancel().catch(() => {});
      return send(next);
    }
    if (resp.status === 429 || resp.status === 503) {
      const wait = retryAfterMs(resp.headers.get('Retry-After'));
      if (wait === null || wait > MAX_RETRY_AFTER_MS) return resp;
      await resp.body?.cancel().catch(() => {});
      await sleep(wait, request.signal);
      if (!own) t = await token();
      return send(t);
    }
    return resp;
  }

  const Session = sessionClass();
  const session = new Session({ token, fetch: sessionFetch, current: () => current });
  target = session;
  /**
   * settle is p, a token call of the client begun now (exchangeCode,
   * refresh), settled into the session through accept. A call that settles
   * after a sign-out (or close) puts nothing back: it rejects with
   * reauthenticate, and through a relay the sign-out is made again, since
   * the relay may have set its cookie after the first (unless a newer
   * sign-in is under way or done, whose cookie it is).
   */
  function settle(p, source) {
    const epoch = generation;
    inFlight++;
    return p.finally(() => { inFlight--; }).then(async (t) => {
      if (accept(t, source, epoch)) {
        mark?.put();
        return t;
      }
      if (relayMode && !closed && inFlight === 0 && current === null) await signOut().catch(() => {});
      throw reauth('signed out while this call was under way: sign in again');
    });
  }

  const internal = {
    /** exchangeCode's call: its token fills the session. */
    exchanged: (p) => settle(p, SOURCE.exchange),
    /** client.refresh(token): its token fills the session; a relay without a sign-in forgets the mark. */
    refreshed: (token) => settle(refresh(token).catch((err) => {
      relayGone(err);
      throw err;
    }), SOURCE.refresh),
    /** An implicit redirect's token, checked by handleRedirect. */
    redirected: (t) => { accept(t, SOURCE.exchange); },
    /**
     * client.signOut(): the session empties at once (no token is handed
     * out while the relay forgets it), then the client's sign-out runs,
     * and every tab hears of it whether or not it succeeded.
     */
    signOut() {
      clear();
      return signOut().finally(() => {
        clear();
        mark?.remove();
        post({ type: 'signedout' });
        fire('signedout');
      }).then(() => undefined);
    },
    /** client.close(): the channel is closed, and the session ends here (not in other tabs). */
    close() {
      if (closed) return;
      closed = true;
      clear();
      if (channel) {
        channel.onmessage = null;
        channel.close();
      }
    },
  };
  return { session, internal };
}
