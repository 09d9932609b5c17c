// gotoauth-args.js: the checks of the arguments the public API takes, made
// in JS where they are cheap, and the encoding of options as the form text
// the module reads (wasm/bridge/export.go writes the crossing format down).
// Which options each call takes, what kind of value each is, and every
// limit come from gotoauth-contract.js, generated from the Go that owns
// them; every rule about the values themselves lives in Go.
import { GoToAuthError } from './gotoauth-errors.js';
import {
  INVALID_ARGUMENT, KIND, MAX_STRING, MAX_SCOPES, MAX_EXTRA_PARAMS, MAX_API_ORIGINS, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS,
} from './gotoauth-contract.js';

/** own reads an option the caller's object holds itself: a property that Object.prototype (or any prototype) supplies configures nothing. */
export function own(o, name) {
  return Object.prototype.hasOwnProperty.call(o, name) ? o[name] : undefined;
}

export function invalid(message) {
  return new GoToAuthError(INVALID_ARGUMENT, message);
}

export function typeName(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

export function checkString(v, what, max = MAX_STRING) {
  if (typeof v !== 'string') throw invalid(`${what} must be a string, not ${typeName(v)}`);
  if (v.length > max) throw invalid(`${what} is too long (${max >> 10} KiB at most)`);
  return v;
}

function encode(name, value) {
  try {
    return `${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
  } catch {
    throw invalid(`${name} is not well-formed Unicode`);
  }
}

export function safeMessage(err) {
  try {
    return String(err && err.message).slice(0, 200);
  } catch {
    return 'unreadable error';
  }
}

/**
 * guarded wraps a public function: whatever the caller's values throw while
 * they are read (a getter, a Proxy trap, a revoked Proxy) becomes a
 * GoToAuthError invalid_argument. An async function rejects instead of
 * throwing.
 */
export function guarded(f, what, async = false) {
  return (...args) => {
    try {
      const r = f(...args);
      return async ? Promise.resolve(r) : r;
    } catch (err) {
      const e = err instanceof GoToAuthError ? err
        : invalid(`${what}: the arguments could not be read (${safeMessage(err)})`);
      if (async) return Promise.reject(e);
      throw e;
    }
  };
}

/** The names of a call's options (a list of gotoauth-contract.js). */
export const names = (list) => list.map(([name]) => name);

/**
 * checkKeys refuses an options object with a key the call does not know
 * (list: the call's options from gotoauth-contract.js): a misspelt option
 * would otherwise be ignored, and its default used. Only own keys count
 * (see own).
 */
export function checkKeys(o, what, list) {
  const known = names(list);
  for (const key of Object.keys(o)) {
    if (known.includes(key)) continue;
    const near = nearest(key, known);
    throw invalid(`${what}: unknown option "${key.slice(0, 100)}"${near ? `; did you mean "${near}"?` : ''} (known: ${known.join(', ')})`);
  }
}

/**
 * nearest is the one nearness rule for option names, used for every call's
 * options: the known name a misspelling most likely meant, or null. Names
 * are compared without case, '_' or '-' (redirect_uri, redirectURI →
 * redirectUri); then the closest within a third of the key's length
 * (scopes → scope, tokenEndPoint → tokenEndpoint); then the longest known
 * name of four letters or more that the key starts or ends with, or that
 * starts with the key (relayUrl, tokenRelay → relay; timeout → timeoutMs).
 */
export function nearest(key, known) {
  const fold = (name) => name.toLowerCase().replace(/[_-]/g, '');
  const k = fold(key);
  const same = known.find((name) => fold(name) === k);
  if (same) return same;
  let best = null;
  let bestDistance = Math.max(1, Math.floor(k.length / 3)) + 1;
  for (const name of known) {
    const d = distance(k, fold(name));
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  if (best) return best;
  for (const name of known) {
    const n = fold(name);
    const contains = n.length >= 4 && (k.startsWith(n) || k.endsWith(n));
    const begins = k.length >= 4 && n.startsWith(k);
    if ((contains || begins) && (best === null || n.length > best.length)) best = name;
  }
  return best;
}

// distance is the Levenshtein edit distance, for short option names.
function distance(a, b) {
  if (a.length > 64) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

// The kinds of option that options() sends as plain strings.
const STRINGS = new Set([KIND.Text, KIND.FlowName]);

/**
 * options checks an options object against its call's list (from
 * gotoauth-contract.js) and turns the values Go reads into form-encoded
 * text for it, each by its kind. The kinds Go is not sent as text
 * (storage, a boolean, the module) are the caller's to read.
 */
export function options(o, what, list, { allowMissing = false } = {}) {
  if (o == null) {
    if (allowMissing) return '';
    throw invalid(`${what} must be an object`);
  }
  if (typeof o !== 'object' || Array.isArray(o)) throw invalid(`${what} must be an object, not ${typeName(o)}`);
  checkKeys(o, what, list);
  const pairs = [];
  for (const [name, kind] of list) {
    const v = own(o, name);
    // JSON carries null; for every other kind null is absent.
    if (v === undefined || (v === null && kind !== KIND.JSON)) continue;
    if (STRINGS.has(kind)) pairs.push(encode(name, checkString(v, name)));
    else if (kind === KIND.Scope) pairs.push(encode(name, scope(v, name)));
    else if (kind === KIND.Extra) pairs.push(...extraParams(v, name));
    else if (kind === KIND.JSON) pairs.push(encode(name, json(v, name)));
    else if (kind === KIND.PageURL) pairs.push(encode(name, pageURL(v, name)));
    else if (kind === KIND.Timeout) pairs.push(`${name}=${millis(v, name)}`);
  }
  return pairs.join('&');
}

/**
 * millis checks a time option (KIND.Timeout): a whole number of
 * milliseconds within Go's range (client.TimeoutFromMillis), so that a
 * call made before the module runs (a relay's, which JS sends) is bounded
 * as Go would bound it.
 */
export function millis(v, name) {
  if (!Number.isSafeInteger(v) || v < MIN_TIMEOUT_MS || v > MAX_TIMEOUT_MS) {
    throw invalid(`${name} must be a whole number of milliseconds from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS}, not ${typeName(v)} ${String(v).slice(0, 40)}`);
  }
  return v;
}

function scope(v, name) {
  if (typeof v === 'string') return checkString(v, name);
  if (!Array.isArray(v)) throw invalid(`${name} must be a string or an array of strings, not ${typeName(v)}`);
  if (v.length > MAX_SCOPES) throw invalid(`${name} has more than ${MAX_SCOPES} entries`);
  v.forEach((s, i) => checkString(s, `${name}[${i}]`));
  return v.join(' ');
}

function extraParams(v, name) {
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`${name} must be an object of strings, not ${typeName(v)}`);
  const keys = Object.keys(v);
  if (keys.length > MAX_EXTRA_PARAMS) throw invalid(`${name} has more than ${MAX_EXTRA_PARAMS} entries`);
  return keys.map((k) => encode(`extra.${k}`, checkString(own(v, k), `${name}.${k}`)));
}

// json is v as JSON text for Go (an authorize option's appState, which Go
// keeps beside the pending state and bounds).
function json(v, name) {
  let text;
  try {
    text = JSON.stringify(v, (key, x) => {
      if (typeof x === 'number' && !Number.isFinite(x)) throw invalid(`${name}: ${key || 'the value'} is ${x}, which JSON cannot carry`);
      return x;
    });
  } catch (err) {
    if (err instanceof GoToAuthError) throw err;
    throw invalid(`${name} must be JSON-serialisable (${safeMessage(err)})`);
  }
  if (text === undefined) throw invalid(`${name} must be JSON-serialisable, not ${typeName(v)}`);
  return text;
}

/**
 * origins checks a list of origins (an option of kind origins: apiOrigins)
 * and returns each as the URL standard serialises it, which is what a
 * request's origin is compared with, exactly: scheme, host and port. Each
 * is scheme://host[:port] alone, and passes tls(origin), the TLS rule of
 * the client's endpoints, which lives in Go; with tls null (the module
 * does not run yet) the caller applies that rule later.
 */
export function origins(v, name, tls) {
  if (!Array.isArray(v)) throw invalid(`${name} must be an array of origins such as 'https://api.goto.com', not ${typeName(v)}`);
  if (v.length > MAX_API_ORIGINS) throw invalid(`${name} has more than ${MAX_API_ORIGINS} entries`);
  return v.map((s, i) => {
    const what = `${name}[${i}]`;
    let url;
    try {
      url = new URL(checkString(s, what));
    } catch (err) {
      if (err instanceof GoToAuthError) throw err;
      throw invalid(`${what} is not an origin such as 'https://api.goto.com': ${JSON.stringify(s.slice(0, 100))}`);
    }
    if (url.username !== '' || url.password !== '') throw invalid(`${what} must be an origin without userinfo (user:password@)`);
    if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#]+\/?$/i.test(s)) throw invalid(`${what} must be an origin alone, scheme://host[:port], without a path, query or fragment: ${JSON.stringify(s.slice(0, 100))}`);
    try {
      if (tls) tls(`${url.origin}/`);
    } catch (err) {
      throw invalid(`${what} ${url.origin} is refused: ${safeMessage(err)}`);
    }
    return url.origin;
  });
}

// pageURL makes a URL absolute against the page's address, so that a
// relay's '/relay/' means this origin's. In a page it must be on the page's
// own origin: the relay's cookie is SameSite=Strict and the client sends it
// same-origin only, so a relay elsewhere would sign in and then fail on
// every reload. Outside a page (Node) there is no page origin: any absolute
// URL is taken, and the app's fetch is the one that keeps the cookie.
function pageURL(v, name) {
  const page = typeof location === 'object' && location !== null ? location : undefined;
  let url;
  try {
    url = new URL(checkString(v, name), page?.href);
  } catch (err) {
    if (err instanceof GoToAuthError) throw err;
    throw invalid(page === undefined ? `${name} must be an absolute URL outside a browser` : `${name} is not a URL`);
  }
  if (page !== undefined && url.origin !== page.origin) {
    throw invalid(`${name} ${url.origin} is not this page's origin (${page.origin}): the relay must be served from the page's own origin, since its cookie is sent same-origin only; give a path such as '/relay/' and forward it to the relay through the app's proxy (the README's "Your own dev server" shows one)`);
  }
  return url.href;
}
