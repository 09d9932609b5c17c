// Drives gotoauth (through web/gotoauth-node.js, the package's Node entry, as a user would) against the
// fosite authorization server that interop_test.go starts:
//
//   node interop_driver.mjs http://127.0.0.1:PORT
//
// Prints one JSON line describing the outcome (never a token value) and
// exits non-zero, with the reason on stderr, on any failure.
import { load, GoToAuthError } from '../../gotoauth-node.js';

const REDIRECT = 'http://127.0.0.1:8765/callback';

function fail(message) {
  process.stderr.write(`interop_driver: ${message}\n`);
  process.exit(1);
}

/** Runs fn, expecting a GoToAuthError; returns its code (or a description of what happened instead). */
async function errorCode(fn) {
  try {
    await fn();
  } catch (err) {
    if (err instanceof GoToAuthError) return err.code;
    return `not a GoToAuthError: ${err && err.name}: ${err && err.message}`;
  }
  return 'resolved';
}

function describe(err) {
  if (err instanceof GoToAuthError) {
    const extra = [err.error && `error=${err.error}`, err.status && `status=${err.status}`].filter(Boolean).join(' ');
    return `GoToAuthError ${err.code}: ${err.message}${extra ? ` (${extra})` : ''}`;
  }
  return String(err && err.stack || err);
}

/** A Web Storage stand-in backed by a Map. */
const map = new Map();
const storage = {
  getItem: (k) => (map.has(k) ? map.get(k) : null),
  setItem: (k, v) => { map.set(k, String(v)); },
  removeItem: (k) => { map.delete(k); },
};

async function main() {
  const base = process.argv[2];
  if (!base || !/^http:\/\/127\.0\.0\.1:\d+$/.test(base)) {
    fail(`usage: node interop_driver.mjs http://127.0.0.1:PORT (got ${JSON.stringify(base)})`);
  }

  const gotoauth = await load();
  const client = gotoauth.client({
    clientId: 'gotoauth-interop',
    redirectUri: REDIRECT,
    scope: ['offline_access', 'identity:scim.me'],
    authorizeEndpoint: `${base}/oauth2/auth`,
    tokenEndpoint: `${base}/oauth2/token`,
    storage,
  });

  // 1. The authorize request; fosite auto-grants and redirects with code and state.
  const auth = client.authorize();
  const resp = await fetch(auth.url, { redirect: 'manual' });
  const location = resp.headers.get('location');
  if (resp.status < 300 || resp.status > 399 || !location) {
    const body = (await resp.text()).slice(0, 2000);
    fail(`the authorize endpoint answered ${resp.status} without a redirect: ${body}`);
  }
  const loc = new URL(location);
  if (loc.origin + loc.pathname !== REDIRECT) fail(`the authorize redirect goes to ${loc.origin + loc.pathname}, not ${REDIRECT}`);
  if (loc.searchParams.has('error')) {
    fail(`the authorize endpoint redirected with error=${loc.searchParams.get('error')}: ${loc.searchParams.get('error_description')}`);
  }

  // 2. Check and consume the state, then exchange the code with its verifier.
  const result = await client.handleRedirect(location).catch((err) => fail(`handleRedirect: ${describe(err)}`));
  if (result.kind !== 'code') fail(`handleRedirect gave kind ${result.kind}, not code`);
  if (result.state !== auth.state) fail('handleRedirect gave another state than authorize made');
  const token = await client.exchangeCode(result).catch((err) => fail(`exchangeCode: ${describe(err)}`));
  if (!token.refreshToken) fail('the code exchange gave no refresh token (offline_access was requested)');

  // 3. Refresh.
  const refreshed = await client.refresh(token.refreshToken).catch((err) => fail(`refresh: ${describe(err)}`));

  // 4. Refusals: a second exchange of the same result (never sent), a replayed
  // redirect (its state was consumed), a bogus refresh token, and the refresh
  // token that the refresh rotated out (fosite's reuse detection; last, since
  // it revokes the whole token family).
  const errors = {
    secondExchange: await errorCode(() => client.exchangeCode(result)),
    replayedRedirect: await errorCode(() => client.handleRedirect(location)),
    bogusRefresh: await errorCode(() => client.refresh('ory_rt_bogus.bogus-signature-not-issued-by-fosite')),
    reusedRefresh: await errorCode(() => client.refresh(token.refreshToken)),
  };

  const out = {
    accessToken: typeof token.accessToken === 'string' && token.accessToken.length > 0,
    tokenType: token.tokenType,
    expiresIn: token.expiresIn,
    scope: token.scope,
    refreshToken: typeof token.refreshToken === 'string' && token.refreshToken.length > 0,
    refreshed: typeof refreshed.accessToken === 'string' && refreshed.accessToken.length > 0
      && refreshed.accessToken !== token.accessToken,
    refreshedTokenType: refreshed.tokenType,
    refreshedExpiresIn: refreshed.expiresIn,
    refreshedScope: refreshed.scope,
    refreshTokenRotated: typeof refreshed.refreshToken === 'string' && refreshed.refreshToken.length > 0
      && refreshed.refreshToken !== token.refreshToken,
    errors,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);

  const want = { secondExchange: 'code_already_used', replayedRedirect: 'state_mismatch', bogusRefresh: 'reauthenticate', reusedRefresh: 'reauthenticate' };
  const wrong = Object.keys(want).filter((k) => errors[k] !== want[k]).map((k) => `${k}: got ${errors[k]}, want ${want[k]}`);
  if (!out.refreshed) wrong.push('the refresh did not produce a new access token');
  if (wrong.length > 0) fail(wrong.join('; '));
  process.exit(0);
}

main().catch((err) => fail(describe(err)));
