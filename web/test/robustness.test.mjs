// Bad input of every kind, through every exported function: each call
// throws or rejects with a GoToAuthError, and the module keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load, GoToAuthError, MemoryStorage, REDIRECT, rejectsWith } from './helpers.mjs';

const g = await load();
const huge = 'x'.repeat(5 * 1024 * 1024);
const hugeURL = `https://a/cb?code=${huge}&state=s`;
const badValues = [undefined, null, 0, 42, -1, NaN, Infinity, true, {}, [], [1, 2], () => 1, Symbol('s'), 10n, huge, hugeURL,
  { clientId: huge }, { clientId: 5 }, { clientId: 'c', redirectUri: huge }, { clientId: 'c', scope: [huge] }, { clientId: 'c', scope: 5 },
  { clientId: 'c', extraParams: { x: huge } }, new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } })];

const client = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage() });

const sync = {
  authorizeURL: (v) => g.authorizeURL(v),
  parseRedirect: (v) => g.parseRedirect(v),
  normalizeTokenResponse: (v) => g.normalizeTokenResponse(v),
  migrateURL: (v) => g.migrateURL(v),
  client: (v) => g.client(v),
  'client.authorize': (v) => client.authorize(v),
};
const async = {
  'client.handleRedirect': (v) => client.handleRedirect(v),
  'client.exchangeCode': (v) => client.exchangeCode(v),
  'client.refresh': (v) => client.refresh(v),
  'client.me': (v) => client.me(v),
};

function describe(v) {
  if (typeof v === 'string') return `string(${v.length})`;
  if (typeof v === 'symbol' || typeof v === 'bigint') return typeof v;
  try { return JSON.stringify(v)?.slice(0, 40) ?? String(v); } catch { return typeof v; }
}

// Values a function legitimately accepts (authorize takes no argument).
const accepted = {
  'client.authorize': (v) => {
    // No options at all; any key it does not know (clientId belongs to the client) is refused.
    try { return v == null || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0); } catch { return false; }
  },
};

test('every sync function throws GoToAuthError on bad input', () => {
  for (const [name, fn] of Object.entries(sync)) {
    for (const v of badValues) {
      if (accepted[name]?.(v)) continue;
      let caught;
      try { fn(v); } catch (err) { caught = err; }
      assert.ok(caught instanceof GoToAuthError, `${name}(${describe(v)}) threw ${caught}`);
      assert.ok(['invalid_argument', 'invalid_redirect', 'unsupported'].includes(caught.code), `${name}(${describe(v)}): ${caught.code} ${caught.message}`);
    }
  }
});

test('every async function rejects with GoToAuthError on bad input', async () => {
  for (const [name, fn] of Object.entries(async)) {
    for (const v of badValues) {
      if (name === 'client.handleRedirect' && v == null) continue; // means location.href, which Node lacks: checked below
      let caught;
      const p = fn(v);
      assert.ok(p instanceof Promise, `${name} returns a promise`);
      try { await p; } catch (err) { caught = err; }
      assert.ok(caught instanceof GoToAuthError, `${name}(${describe(v)}) rejected with ${caught}`);
      assert.ok(['invalid_argument', 'invalid_redirect', 'state_mismatch'].includes(caught.code), `${name}(${describe(v)}): ${caught.code}`);
    }
  }
  await assert.rejects(client.handleRedirect(), (e) => e instanceof GoToAuthError && e.code === 'invalid_argument');
});

test('oversized strings give invalid_argument, not a crash', () => {
  for (const fn of [() => g.parseRedirect(huge), () => g.migrateURL(huge), () => g.parseRedirect(hugeURL), () => g.normalizeTokenResponse(huge)]) {
    let caught;
    try { fn(); } catch (err) { caught = err; }
    assert.equal(caught?.code, 'invalid_argument');
  }
});

test('10,000 bad calls, then a good call still works', async () => {
  for (let i = 0; i < 10_000; i++) {
    const v = badValues[i % badValues.length];
    const name = Object.keys(sync)[i % Object.keys(sync).length];
    let caught;
    try { sync[name](v === huge || v === hugeURL ? 'x' : v); } catch (err) {
      caught = err;
    }
    if (caught === undefined) {
      assert.ok(accepted[name]?.(v) || v === huge || v === hugeURL, `${name}(${describe(v)}) did not throw`);
      continue;
    }
    assert.ok(caught instanceof GoToAuthError, `${name}(${describe(v)}) threw ${caught}`);
    assert.ok(['invalid_argument', 'invalid_redirect', 'unsupported'].includes(caught.code), `${name}(${describe(v)}): ${caught.code} ${caught.message}`);
  }
  // Refreshes that fail: a refresh token of the wrong type, and real ones
  // sent to a token endpoint where nothing listens.
  const nowhere = g.client({ clientId: 'c', redirectUri: REDIRECT, tokenEndpoint: 'http://127.0.0.1:1/token', storage: new MemoryStorage() });
  for (let i = 0; i < 100; i++) {
    await rejectsWith('invalid_argument', () => client.refresh(i));
    await rejectsWith('network_error', () => nowhere.refresh(`rt-${i}`));
  }
  const a = g.authorizeURL({ clientId: 'still-works', redirectUri: REDIRECT });
  assert.ok(a.url.startsWith('https://authentication.logmeininc.com/oauth/authorize?'));
  const c = g.client({ clientId: 'still-works', redirectUri: REDIRECT, storage: new MemoryStorage() });
  const auth = c.authorize();
  const r = await c.handleRedirect(`${REDIRECT}?code=ok&state=${auth.state}`);
  assert.equal(r.code, 'ok');
});

test('a storage that throws gives an error, not a crash', async () => {
  const broken = { getItem() { throw new Error('quota'); }, setItem() { throw new Error('quota'); }, removeItem() { throw new Error('quota'); } };
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: broken });
  let caught;
  try { c.authorize(); } catch (err) { caught = err; }
  assert.ok(caught instanceof GoToAuthError);
  assert.equal(caught.code, 'internal');
  await assert.rejects(c.handleRedirect(`${REDIRECT}?code=x&state=${'s'.repeat(43)}`), (e) => e instanceof GoToAuthError);
  assert.equal(g.parseRedirect(`${REDIRECT}?code=x&state=s`).code, 'x');
});
