// gotoauth-popup.js: client.signInWithPopup, and the popup's half of it in
// client.handleRedirect. Imported by gotoauth-api.js.
//
// How a popup sign-in goes:
//   1. The opener's signInWithPopup() calls authorize() (so the state, the
//      PKCE verifier and any appState are kept in the opener's storage,
//      exactly as for a redirect) and opens the authorize URL in a popup,
//      synchronously, inside the user's click.
//   2. The popup comes back to redirectUri, whose page calls
//      client.handleRedirect() as always. In a window that has an opener,
//      and at a URL that is a redirect, it first offers the URL to the
//      opener over a BroadcastChannel of the origin
//      ('gotoauth:popup:<clientId>'), and waits a moment for an answer.
//   3. The opener whose signInWithPopup is waiting for that state (the
//      state is compared in constant time) answers, and checks and consumes
//      the state with its own handleRedirect: the same rules as a redirect,
//      nothing relaxed. The code is exchanged there (through the relay in
//      the code flow), and the promise resolves to the token, which
//      client.session then holds.
//   4. The popup, answered, closes itself; its handleRedirect resolves to
//      {kind: 'popup'}. Unanswered (no opener waits for this state: a tab
//      opened some other way), it handles the redirect itself, as usual.
// The channel carries the redirect URL only to pages of the same origin;
// a code is of no use without the verifier, which never leaves the
// opener's storage.
import { GoToAuthError } from './gotoauth-errors.js';
// How long the popup waits for its opener to answer, and how often the
// opener looks whether the popup was closed (there is no event for it):
// wasm/limits.
import {
  INVALID_ARGUMENT, POPUP_ANSWER_MS, POPUP_BLOCKED, POPUP_CLOSED, POPUP_CLOSED_POLL_MS,
} from './gotoauth-contract.js';

const FEATURES = 'popup=yes,width=520,height=680';

const channelName = (clientId) => `gotoauth:popup:${clientId}`;

function randomId() {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// sameState compares two states in time that depends on their length only.
function sameState(a, b) {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Whether this window was opened by another (a popup), so that a redirect here may be its opener's. */
export function inPopup() {
  try {
    const opener = globalThis.opener;
    return opener != null && opener !== globalThis && typeof BroadcastChannel === 'function';
  } catch {
    return false;
  }
}

/**
 * handOver offers the redirect url to the opener; it resolves to true when
 * the opener took it (this window is then closing), false when no opener
 * answered in time.
 */
export function handOver(clientId, url) {
  return new Promise((resolve) => {
    const channel = new BroadcastChannel(channelName(clientId));
    const id = randomId();
    const done = (taken) => {
      clearTimeout(timer);
      channel.close();
      resolve(taken);
    };
    const timer = setTimeout(() => done(false), POPUP_ANSWER_MS);
    channel.onmessage = (ev) => {
      const m = ev.data;
      if (m && m.type === 'taken' && m.id === id) done(true);
    };
    channel.postMessage({ type: 'redirect', id, url });
  });
}

/**
 * openPopup opens url in a popup and waits for its redirect with state:
 * finish(url) checks it and resolves to the value signInWithPopup resolves
 * to. Returns {promise, cancel(err)}; a blocked popup throws popup_blocked
 * at once.
 */
export function openPopup({ clientId, url, state, stateOf, finish }) {
  if (typeof globalThis.open !== 'function' || typeof BroadcastChannel !== 'function') {
    throw new GoToAuthError(INVALID_ARGUMENT, 'signInWithPopup needs a browser window (window.open and BroadcastChannel)');
  }
  const popup = globalThis.open(url, 'gotoauth-sign-in', FEATURES);
  if (popup == null) {
    throw new GoToAuthError(POPUP_BLOCKED, 'the browser blocked the sign-in popup: call signInWithPopup from a click or a key press, or allow popups for this site');
  }
  let cancel;
  const promise = new Promise((resolve, reject) => {
    const channel = new BroadcastChannel(channelName(clientId));
    let taken = false;
    let settled = false;
    const settle = (err, value) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      channel.close();
      if (err) reject(err);
      else resolve(value);
    };
    // cancel ends the wait with err; closeWindow false leaves the window
    // (reused by a newer sign-in).
    cancel = (err, closeWindow = true) => {
      if (taken && !closeWindow) return; // its redirect came: it finishes
      if (closeWindow) {
        try { popup.close(); } catch { /* already gone */ }
      }
      settle(err);
    };
    const poll = setInterval(() => {
      let closed = true;
      try { closed = popup.closed; } catch { /* treat as closed */ }
      if (closed && !taken) settle(new GoToAuthError(POPUP_CLOSED, 'the sign-in popup was closed before the sign-in finished'));
    }, POPUP_CLOSED_POLL_MS);
    channel.onmessage = (ev) => {
      const m = ev.data;
      if (taken || !m || m.type !== 'redirect' || typeof m.id !== 'string' || typeof m.url !== 'string') return;
      if (!sameState(stateOf(m.url), state)) return; // another sign-in's popup
      taken = true;
      channel.postMessage({ type: 'taken', id: m.id });
      clearInterval(poll);
      try { popup.close(); } catch { /* it closes itself too */ }
      Promise.resolve().then(() => finish(m.url)).then((v) => settle(null, v), (err) => settle(err));
    };
  });
  return { promise, cancel };
}
