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
//     id. A tab without a token asks the tabs that hold one before asking
//     the relay, and only when there are such tabs (below).
//   - In relay mode, a page keeps one non-secret mark in localStorage,
//     'gotoauth.relay.<clientId>' = '1', while this browser holds a sign-in
//     at the relay: set when the relay answers with a token, removed at
//     sign-out and when the relay says there is no sign-in. A page with no
//     token and no mark knows there is nothing to renew, and token()
//     rejects with reauthenticate without asking the relay (whose 401
//     every browser would log). Where localStorage cannot be used, the
//     relay is asked, as if the mark were there. No token is ever stored.
//   - A sign-out bumps a generation: a refresh, code exchange or implicit
//     redirect begun before it puts nothing back when it settles (accept,
//     here only);
//     while it is under way no token enters and none is asked for.
//     client.close() ends the session in this page and closes its channel.
//   - Nothing polls: expiry is computed from expiresAt when a token is
//     asked for. Timers run only while a call waits: a tab without a token
//     waits at most ASK_TABS_MS for the holders' answers (askTabs), the
//     relay's "not now" is retried within RELAY_RETRY_MS
//     (gotoauth-relay.js), and session.fetch waits out a Retry-After of at
//     most MAX_RETRY_AFTER_MS (ended by the request's signal). All are the
//     caller's own call in progress, so they hold Node's loop as a
//     request's socket would, and nothing is left once it settles.
//
// One refresh at a time, no blind wait for other tabs, and why a late
// message does not cost a second refresh. (This is the one place the
// lock-versus-channel race is explained; other places point here.)
//
// Who holds a token: every tab whose session holds one holds a shared Web
// Lock, 'gotoauth:holder:' + clientId, from the moment a token enters
// (accept) until the session is cleared (sign-out, close, a page that
// goes away: the browser releases its locks). A tab without a token
// (askTabs) looks at the held locks (navigator.locks.query()): no holder
// means no other tab can answer, and it goes on to the relay at once, so a
// lone tab never waits for nobody. With holders, it asks them over the
// channel and takes the first fresh token; each holder answers, with its
// token or with none (an expired one), so the wait ends when every holder
// has answered, and ASK_TABS_MS bounds it should a holder not answer (a
// frozen tab). Where there are no Web Locks, the ask waits ASK_TABS_MS.
//
// Refreshes of one client id are serialised: in a browser by a Web Lock
// ('gotoauth:refresh:' + clientId), which also serialises the tabs of the
// origin; where there are no Web Locks (Node 20), by an in-page promise
// chain per client id. Inside the lock a refresh is skipped when the
// session's token is no longer the one that prompted it (another caller, in
// this page or, through the channel, in another tab, already replaced it):
// the new one is used. A tab without a token also asks the holders again
// inside the lock, and a tab that refreshed takes its holder lock before it
// releases the refresh lock: so of two tabs reloaded at once, the second
// to get the lock finds the first a holder and takes its token, and GoTo
// is reached once without the relay's memory.
//
// The token check alone does not hold across tabs (a tab with an expired
// token does not ask the others): tab A refreshes under the
// lock, posts the new token and releases the lock; tab B, waiting for the
// lock, may get it before A's message reaches it (the release of a lock and
// a channel message are not ordered against each other), still see the old
// token, and refresh again. What makes that harmless is the relay: it
// answers a refresh whose cookie completed a refresh a moment ago
// (limits.RelayCompletedMemory) from memory, with the same answer
// (web/relay/refresh.go). B's late refresh comes right after A's, with the
// same cookie (or with the rotated-out one, which the relay's rotation
// memory, limits.RelayRotationMemory, answers the same way), so it gets
// A's access token: GoTo is reached once and both tabs hold one token. A's message, when it arrives, carries that same
// token and changes nothing. Outside relay mode there are no tabs: the
// in-page chain and the check are the whole story.
import { GoToAuthError } from './gotoauth-errors.js';
// The limits (wasm/limits): a token is refreshed when it has less than
// EXPIRY_MARGIN_MS left; a tab without a token waits at most ASK_TABS_MS
// for the holders' answers; session.fetch waits for a Retry-After of at
// most MAX_RETRY_AFTER_MS.
import {
  ASK_TABS_MS, EXPIRY_MARGIN_MS, INVALID_ARGUMENT, MAX_RETRY_AFTER_MS, REAUTHENTICATE,
} from './gotoauth-contract.js';
import { retryAfterMs } from './gotoauth-relay.js';

/**
 * Where a session's token came from, as its 'change' event's `source`
 * says: a code exchange or an implicit redirect; this tab's refresh; this
 * tab's refresh that brought back the access token the session already
 * held (the relay answered from its short memory); another tab.
 */
const SOURCE = Object.freeze({ exchange: 'exchange', refresh: 'refresh', memory: 'memory', tab: 'tab' });

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

// The relay sign-in marks (see the top of this file): in a page's
// localStorage, MARK + clientId holds '1'. A storage that cannot be read
// (blocked, sandboxed, or no page at all) is null.
const MARK = 'gotoauth.relay.';
function markStorage() {
  try {
    const ls = typeof document === 'undefined' ? undefined : globalThis.localStorage;
    return ls && typeof ls.getItem === 'function' ? ls : null;
  } catch {
    return null;
  }
}

// A client's mark: get, put, remove. A storage that throws (blocked, full,
// sandboxed) counts as "ask the relay".
function relayMark(clientId) {
  const key = MARK + clientId;
  return {
    /** false only when the mark is known to be absent. */
    maybe() {
      const ls = markStorage();
      try { return ls === null || ls.getItem(key) === '1'; } catch { return true; }
    },
    put() { try { markStorage()?.setItem(key, '1'); } catch { /* ask the relay next time */ } },
    remove() { try { markStorage()?.removeItem(key); } catch { /* nothing to do */ } },
  };
}

/**
 * relaySignInMarked tells whether this browser holds a relay sign-in mark
 * for any client: a signed-in page in relay mode coming back, which needs
 * no module for its first token (gotoauth-load.js). No storage: no mark.
 */
export function relaySignInMarked() {
  try {
    const ls = markStorage();
    for (let i = 0; ls !== null && i < ls.length; i++) {
      const key = ls.key(i);
      if (typeof key === 'string' && key.startsWith(MARK) && ls.getItem(key) === '1') return true;
    }
  } catch { /* no mark */ }
  return false;
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
 * argument in relay mode), signOut() its raw sign-out; checkAPITarget(url)
 * rejects where the client's apiOrigins do not let session.fetch go (or
 * send the token: each of them passed the TLS rule); firstSettled() is
 * called once, when the client's first token
 * call (token(), or refresh() or exchangeCode() through settle) settles.
 */
export function makeSession({
  clientId, relayMode, refresh, signOut, checkAPITarget, firstSettled = () => {},
}) {
  let target; // the session itself: events fire on it
  let current = null;        // the token, without refreshToken
  let refreshToken = null;   // outside relay mode only
  // Bumped by every sign-out (and by close): a call begun before one puts
  // nothing back when it settles (accept).
  let generation = 0;
  // Sign-outs under way: until the relay answered, no token enters and
  // none is asked for (a tab's or the relay's would outlive the sign-out).
  let signingOut = 0;
  let inFlight = 0;          // token calls of the client under way (settle)
  let closed = false;        // client.close() was called
  const mark = relayMode ? relayMark(clientId) : null;
  let refreshing = null;     // {from, promise}: this page's refresh under way
  let expiredFor = null;     // the access token 'expired' was fired for
  const channel = openChannel(clientId);
  // The holder lock (see the top of this file): browsers only.
  const locks = channel ? globalThis.navigator?.locks : undefined;
  const holderName = `gotoauth:holder:${clientId}`;
  let holder = null;         // {release, granted}: this tab holds a token

  function hold() {
    if (holder || closed || !locks || typeof locks.request !== 'function') return;
    let release;
    let granted;
    const gate = new Promise((r) => { release = r; });
    holder = { release, granted: new Promise((r) => { granted = r; }) };
    locks.request(holderName, { mode: 'shared' }, () => { granted(); return gate; }).catch(() => granted());
  }
  function unhold() {
    holder?.release();
    holder = null;
  }

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
    if (closed || signingOut > 0 || epoch !== generation || !isToken(t)) return false;
    if (!relayMode && typeof t.refreshToken === 'string' && t.refreshToken !== '') refreshToken = t.refreshToken;
    const pub = publicToken(t);
    const same = current !== null && current.accessToken === pub.accessToken;
    current = pub;
    hold();
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
    unhold();
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
          // A holder answers, with no token when its own has expired.
          if (current) post({ type: 'answer', id: m.id, token: fresh(current) ? current : null });
          break;
        case 'signedout':
          clear();
          fire('signedout');
          break;
        default:
      }
    };
  }

  // holders is how many tabs hold a token of this client (the holder
  // lock), or null where that cannot be known.
  async function holders() {
    if (!locks || typeof locks.query !== 'function') return null;
    try {
      const { held } = await locks.query();
      return held.filter((l) => l.name === holderName).length;
    } catch {
      return null;
    }
  }

  // askTabs resolves to a holder's fresh token, or null: at once when no
  // tab holds one, else when every holder answered, or after ASK_TABS_MS.
  async function askTabs() {
    if (!channel) return null;
    const count = await holders();
    if (count === 0) return null;
    const id = Math.random().toString(36).slice(2) + Date.now().toString(36);
    const ask = new BroadcastChannel(`gotoauth:${clientId}`);
    return new Promise((resolve) => {
      let answered = 0;
      const done = (t) => { clearTimeout(timer); ask.close(); resolve(t); };
      const timer = setTimeout(() => done(null), ASK_TABS_MS);
      ask.onmessage = (ev) => {
        const m = ev.data;
        if (!m || m.type !== 'answer' || m.id !== id) return;
        if (isToken(m.token) && fresh(m.token)) done(publicToken(m.token));
        else if (count !== null && ++answered >= count) done(null);
      };
      ask.postMessage({ type: 'ask', id });
    });
  }

  // renew replaces `from` (the access token that prompted it, or null when
  // there was none) under the lock. Calls of this page share one renewal.
  function renew(from) {
    if (signingOut > 0) return Promise.reject(reauth('the session is being signed out: sign in again'));
    if (refreshing && refreshing.from === from) return refreshing.promise;
    const epoch = generation;
    const promise = withLock(clientId, async () => {
      // Another caller (here, or another tab through the channel) already
      // replaced the token that prompted this: use theirs.
      if (current && current.accessToken !== from && fresh(current)) return current;
      if (from === null && !current) {
        // A tab that got the lock first may hold a token now.
        const theirs = await askTabs();
        if (theirs && !current && epoch === generation) accept(theirs, SOURCE.tab);
        if (current && fresh(current)) return current;
      }
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
      // Held before the refresh lock is released: a tab waiting for it
      // then finds this one a holder.
      await holder?.granted;
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

  let first = true; // the first token call: firstSettled when it settles
  function firstCall(p) {
    if (first) {
      first = false;
      p.then(firstSettled, firstSettled);
    }
    return p;
  }
  function token() {
    return firstCall(tokenNow());
  }

  async function tokenNow() {
    if (closed) throw closedError();
    const t = current;
    if (t && fresh(t)) return t;
    if (!t) {
      if (!relayMode && !refreshToken) {
        // Without a relay only another tab can have a token (askTabs
        // does not wait where no tab holds one).
        const theirs = await askTabs();
        if (theirs && !current) accept(theirs, SOURCE.tab);
        if (current && fresh(current)) return current;
        if (!refreshToken) throw reauth('there is no token: sign in');
      }
      // In relay mode the holders are asked inside the refresh lock (renew).
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
    await checkAPITarget(input instanceof Request ? input.url : String(input));
    const request = new Request(input, init); // validates input and init as fetch would
    // RFC 6750 §5.3, the bearer token over TLS only (loopback aside), holds
    // here too: each origin of apiOrigins passed that rule, which lives in
    // Go, before checkAPITarget lets a request through.
    const own = request.headers.has('Authorization');
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
    return firstCall(p.finally(() => { inFlight--; }).then(async (t) => {
      if (accept(t, source, epoch)) {
        mark?.put();
        return t;
      }
      if (relayMode && !closed && inFlight === 0 && current === null) await signOut().catch(() => {});
      throw reauth('signed out while this call was under way: sign in again');
    }));
  }

  const internal = {
    /** exchangeCode's call: its token fills the session. */
    exchanged: (p) => settle(p, SOURCE.exchange),
    /** client.refresh(token): its token fills the session; a relay without a sign-in forgets the mark. */
    refreshed: (token) => settle(refresh(token).catch((err) => {
      relayGone(err);
      throw err;
    }), SOURCE.refresh),
    /** The sign-out generation now: a call's epoch (redirected). */
    epoch: () => generation,
    /**
     * An implicit redirect's token, checked by a handleRedirect begun in
     * generation epoch: one that a sign-out overtook is refused.
     */
    redirected: (t, epoch) => {
      if (!accept(t, SOURCE.exchange, epoch)) throw reauth('signed out while this call was under way: sign in again');
    },
    /**
     * client.signOut(): the session empties at once (no token is handed
     * out while the relay forgets it), then the client's sign-out runs,
     * and every tab hears of it whether or not it succeeded.
     */
    signOut() {
      clear();
      signingOut++;
      let done = false;
      return signOut().then(() => { done = true; }).finally(() => {
        signingOut--;
        clear();
        // A sign-out the relay did not record (try_again) keeps the mark:
        // the sign-in is still there, and a reload finds it.
        if (done || !relayMode) mark?.remove();
        post({ type: 'signedout' });
        fire('signedout');
      }).then(() => undefined);
    },
    /** client.close(): the channel is closed, and the session ends here (not in other tabs). */
    close() {
      if (closed) return;
      clear();
      closed = true;
      if (channel) {
        channel.onmessage = null;
        channel.close();
      }
    },
  };
  return { session, internal };
}
