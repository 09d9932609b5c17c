// handleRedirect() without a URL reads the page's address in the module,
// once, and cleans it from the address bar; Node has no address. The
// page's location and history are stood in for on globalThis, which the
// module reads live.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { load, rejectsWith, MemoryStorage, REDIRECT } from './helpers.mjs';

const g = await load();

afterEach(() => {
  delete globalThis.location;
  delete globalThis.history;
});

// standIn puts a location whose href is read-counted and a history that
// records replaceState on globalThis.
function standIn(href) {
  const reads = { href: 0 };
  globalThis.location = { get href() { reads.href++; return href; } };
  const calls = [];
  globalThis.history = { state: { app: 1 }, replaceState: (s, t, u) => calls.push([s, t, u]) };
  return { reads, calls };
}

test('handleRedirect() outside a browser wants a URL', async () => {
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage() });
  const e = await rejectsWith('invalid_argument', () => c.handleRedirect());
  assert.match(e.message, /URL/);
});

test('handleRedirect() reads location.href once and cleans the address bar', async () => {
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage() });
  const a = c.authorize();
  const { reads, calls } = standIn(`${REDIRECT}?keep=1&code=the-code&state=${a.state}`);
  const r = await c.handleRedirect();
  assert.equal(r.kind, 'code');
  assert.equal(r.code, 'the-code');
  assert.equal(reads.href, 1, 'location.href was read more than once');
  assert.deepEqual(calls, [[{ app: 1 }, '', `${REDIRECT}?keep=1`]]);
});

test('handleRedirect(url) cleans the address bar only when url is the address', async () => {
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage() });
  const a = c.authorize();
  const b = c.authorize();
  const here = `${REDIRECT}?code=x&state=${a.state}`;
  const { reads, calls } = standIn(here);
  await c.handleRedirect(`${REDIRECT}?code=y&state=${b.state}`);
  assert.equal(calls.length, 0, 'another URL changed the address bar');
  await c.handleRedirect(here, { cleanAddressBar: false });
  assert.equal(calls.length, 0, 'cleanAddressBar: false changed the address bar');
  assert.equal(reads.href, 1, 'the address was read although nothing was to be cleaned');
});

test('a refused redirect is cleaned from the address bar all the same', async () => {
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage() });
  const { calls } = standIn(`${REDIRECT}#access_token=leaked&token_type=Bearer&state=${'x'.repeat(43)}`);
  await rejectsWith('state_mismatch', () => c.handleRedirect());
  assert.deepEqual(calls.map((call) => call[2]), [REDIRECT]);
});
