// gotoauth-relay.js: the page's calls to the token relay, which need no
// Go: the code exchange, a refresh and a sign-out (wasm/relayapi has the
// contract; the Go client refuses to make them). The relay is Go and
// answers a token in the library's token shape already normalised
// (web/relay/pagetoken.go), so the page stores what it gets: a signed-in
// reload in relay mode has its first token without the module.
//
// Answers, and what the page makes of them:
//   2xx                      the token; expiresAt is computed again from
//                            expiresIn with this page's clock
//   RELAY_STATUS_REAUTHENTICATE  reauthenticate: no sign-in at the relay
//   RELAY_STATUS_RETRY with Retry-After  "not now": asked again after the
//                            wait, within RELAY_RETRY_MS in all, then
//                            try_again. Nothing is forgotten meanwhile: the
//                            relay decided nothing about the sign-in.
//   any other error          oauth_error (an RFC 6749 §5.2 body) or
//                            http_error; a failed or late fetch network_error
// Messages are one sentence for a person; the relay's own words are in the
// error's fields (error, errorDescription, status), never in the message.
import { GoToAuthError } from './gotoauth-errors.js';
import {
  DEFAULT_TIMEOUT_MS, HTTP_ERROR, INVALID_RESPONSE, MAX_BODY, NETWORK_ERROR, OAUTH_ERROR, REAUTHENTICATE,
  RELAY_HEADER, RELAY_HEADER_VALUE, RELAY_REFRESH_PATH, RELAY_RETRY_MS, RELAY_SIGN_OUT_PATH, RELAY_TOKEN_PATH,
  RELAY_STATUS_REAUTHENTICATE, RELAY_STATUS_RETRY, TRY_AGAIN,
} from './gotoauth-contract.js';

/** Retry-After as milliseconds to wait, or null when absent or unreadable. */
export function retryAfterMs(value, now = Date.now()) {
  if (value == null) return null;
  const v = String(value).trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

const wait = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// The fields of a relay error that the error carries, never its message:
// whole, as the body (at most MAX_BODY) held them.
function fields(status, body) {
  const f = { status };
  if (body && typeof body.error === 'string') f.error = body.error;
  if (body && typeof body.error_description === 'string') f.errorDescription = body.error_description;
  if (body && typeof body.error_uri === 'string') f.errorURI = body.error_uri;
  return f;
}

// readBody reads at most MAX_BODY bytes of resp as JSON (null when it is
// not JSON), cancelling the rest.
async function readBody(resp) {
  const reader = resp.body?.getReader();
  if (!reader) return null;
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BODY) {
      await reader.cancel().catch(() => {});
      throw new GoToAuthError(INVALID_RESPONSE, 'The sign-in service answered with more than it may; nothing was kept.', { status: resp.status });
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { bytes.set(c, at); at += c.length; }
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** A token in the library's shape, its expiresAt of this page's clock; null when it is not one. */
function pageToken(body, now = Date.now()) {
  if (!body || typeof body.accessToken !== 'string' || body.accessToken === '' || body.tokenType !== 'Bearer') return null;
  const t = { ...body };
  delete t.refreshToken; // never in a page, even should a relay send one
  if (typeof t.expiresIn === 'number' && Number.isFinite(t.expiresIn) && t.expiresIn >= 0) t.expiresAt = now + t.expiresIn * 1000;
  else { delete t.expiresIn; delete t.expiresAt; }
  if (!Array.isArray(t.scope)) t.scope = [];
  if (t.legacy === undefined) t.legacy = null;
  return t;
}

/**
 * relayCalls returns {refresh(), signOut()} for the relay at relay (its
 * folder, absolute), each request bounded by timeoutMs.
 */
export function relayCalls(relay, timeoutMs = DEFAULT_TIMEOUT_MS) {
  // post sends one request, retrying "not now" answers within the budget;
  // it resolves to {status, body} for any other answer.
  async function post(path, form) {
    const started = Date.now();
    for (;;) {
      let resp;
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(), timeoutMs);
      try {
        const headers = { [RELAY_HEADER]: RELAY_HEADER_VALUE };
        if (form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
        resp = await fetch(relay + path, {
          method: 'POST', credentials: 'same-origin', cache: 'no-store', redirect: 'error',
          headers, body: form ? form.toString() : undefined, signal: ctl.signal,
        });
        const body = resp.status === 204 ? null : await readBody(resp);
        if (resp.status === RELAY_STATUS_RETRY) {
          const after = retryAfterMs(resp.headers.get('Retry-After'));
          const left = started + RELAY_RETRY_MS - Date.now();
          if (after !== null && after <= left) {
            await wait(Math.max(after, 50));
            continue;
          }
          throw new GoToAuthError(TRY_AGAIN, 'The sign-in service is briefly unavailable; try again in a moment.', fields(resp.status, body));
        }
        return { status: resp.status, body };
      } catch (err) {
        if (err instanceof GoToAuthError) throw err;
        if (ctl.signal.aborted) throw new GoToAuthError(NETWORK_ERROR, `The sign-in service did not answer within ${timeoutMs} ms; try again.`);
        throw new GoToAuthError(NETWORK_ERROR, 'The sign-in service could not be reached; check the connection and try again.');
      } finally {
        clearTimeout(timer);
      }
    }
  }

  function failure(status, body, path) {
    if (path === RELAY_TOKEN_PATH && body?.error === 'invalid_grant') {
      return new GoToAuthError(OAUTH_ERROR, 'The sign-in could not be completed (its code expired, was used, or does not match): sign in again.', fields(status, body));
    }
    if (path === RELAY_REFRESH_PATH && status === RELAY_STATUS_REAUTHENTICATE) {
      return new GoToAuthError(REAUTHENTICATE, 'There is no sign-in to renew in this browser: sign in again.', fields(status, body));
    }
    if (body && typeof body.error === 'string' && body.error !== '') {
      return new GoToAuthError(OAUTH_ERROR, `The sign-in service refused the request (HTTP ${status}).`, fields(status, body));
    }
    return new GoToAuthError(HTTP_ERROR, `The sign-in service answered HTTP ${status}.`, { status });
  }

  async function tokenFrom(path, form) {
    const { status, body } = await post(path, form);
    if (status < 200 || status > 299) throw failure(status, body, path);
    const t = pageToken(body);
    if (!t) throw new GoToAuthError(INVALID_RESPONSE, 'The sign-in service answered with something that is not a token.', { status });
    return t;
  }

  return {
    /**
     * Redeems a checked code result (RFC 6749 §4.1.3, RFC 7636 §4.5): the
     * relay adds the grant type and the client's secret, and keeps the
     * refresh token in its cookie.
     */
    exchange(result) {
      const form = new URLSearchParams({ code: result.code, redirect_uri: result.redirectUri });
      if (typeof result.codeVerifier === 'string' && result.codeVerifier !== '') form.set('code_verifier', result.codeVerifier);
      return tokenFrom(RELAY_TOKEN_PATH, form);
    },
    /** A new access token for the relay's cookie. */
    refresh: () => tokenFrom(RELAY_REFRESH_PATH),
    /** The relay forgets the sign-in; a "not now" is retried, never taken for done. */
    async signOut() {
      const { status, body } = await post(RELAY_SIGN_OUT_PATH);
      if (status < 200 || status > 299) throw failure(status, body, RELAY_SIGN_OUT_PATH);
    },
  };
}
