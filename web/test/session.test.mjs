// client.session in Node: a backend client (clientSecret, the refresh token
// in memory) against a local fake token server and resource server, which
// count what they are asked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { MAX_BODY } from '../gotoauth-contract.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { load, rejectsWith, throwsWith, MemoryStorage, REDIRECT } from './helpers.mjs';

const g = await load();

// The fake server: POST /token (refresh_token grant) issues a-1, a-2, ...
// with expires_in `next.expiresIn`; GET /api/me wants the newest token;
// /api/always401 refuses everything; /api/busy answers 429 or 503 with
// `busy.retryAfter` `busy.times` times, then 200.
const state = { relayDelayMs: 0, tokenError: null, relay: [], relaySignedIn: false, grants: [], refreshes: 0, n: 0, valid: new Set(), expiresIn: 3600, delayMs: 0, busy: { status: 429, retryAfter: '1', times: 0 }, seen: [] };
let server;
let base;

before(async () => {
  server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    let body = '';
    for await (const chunk of req) body += chunk;
    state.seen.push({ path: url.pathname, auth: req.headers.authorization, body });
    if (url.pathname.startsWith('/relay/')) {
      // A relay: it holds the sign-in in a cookie; X-GoToAuth is required.
      state.relay.push(url.pathname);
      res.setHeader('Content-Type', 'application/json');
      if (req.headers['x-gotoauth'] !== '1') { res.statusCode = 403; return res.end('{}'); }
      // relayBusy: the relay answers "not now" (503, Retry-After) so many times.
      if (state.relayBusy && state.relayBusy.times > 0) {
        state.relayBusy.times--;
        res.statusCode = 503;
        if (state.relayBusy.retryAfter !== undefined) res.setHeader('Retry-After', state.relayBusy.retryAfter);
        return res.end(JSON.stringify({ error: 'temporarily_unavailable', error_description: "The relay's store cannot be reached." }));
      }
      // relayBad: a relay that lies, stalls or never stops sending.
      switch (state.relayBad) {
        case 'not-a-token': return res.end(JSON.stringify({ access_token: 'a', token_type: 'Bearer' }));
        case 'huge': return res.end(JSON.stringify({ accessToken: 'x'.repeat(MAX_BODY), tokenType: 'Bearer' }));
        case 'endless': {
          const chunk = Buffer.alloc(64 << 10, 0x20);
          const more = () => { while (!res.destroyed && res.write(chunk)); };
          res.on('drain', more);
          return more();
        }
        case 'stall': return undefined; // headers never come
        case 'long-error': {
          res.statusCode = 400;
          return res.end(JSON.stringify({ error: 'invalid_request', error_description: 'd'.repeat(5000) }));
        }
        default:
      }
      if (url.pathname === '/relay/signout') { state.relaySignedIn = false; res.statusCode = 204; return res.end(); }
      if (url.pathname === '/relay/refresh' && !state.relaySignedIn) {
        res.statusCode = 401;
        return res.end(JSON.stringify({ error: 'invalid_grant', error_description: 'There is no refresh cookie: sign in again.' }));
      }
      if (state.relayDelayMs) await new Promise((r) => setTimeout(r, state.relayDelayMs));
      state.relaySignedIn = true;
      // relaySame: the relay answers from its memory, with the last answer.
      const n = state.relaySame ? state.n : ++state.n;
      // The library's token shape (wasm/relayapi).
      return res.end(JSON.stringify({ accessToken: `relay-${n}`, tokenType: 'Bearer', expiresIn: 3600, scope: [], legacy: null }));
    }
    if (url.pathname === '/token') {
      const form = new URLSearchParams(body);
      state.grants.push(form.get('grant_type'));
      if (state.tokenError) {
        res.statusCode = state.tokenError.status;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(state.tokenError.body));
        return;
      }
      state.refreshes++;
      if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
      const at = `a-${++state.n}`;
      state.valid = new Set([at]);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ access_token: at, token_type: 'Bearer', expires_in: state.expiresIn, scope: 'identity:scim.me' }));
      return;
    }
    const bearer = (req.headers.authorization || '').replace(/^Bearer /, '');
    if (url.pathname === '/api/me') {
      res.statusCode = state.valid.has(bearer) ? 200 : 401;
      res.end(JSON.stringify({ bearer }));
      return;
    }
    if (url.pathname === '/api/always401') {
      res.statusCode = 401;
      res.end('no');
      return;
    }
    if (url.pathname === '/api/busy') {
      if (state.busy.times > 0) {
        state.busy.times--;
        res.statusCode = state.busy.status;
        res.setHeader('Retry-After', state.busy.retryAfter);
        res.end('busy');
        return;
      }
      res.end(JSON.stringify({ bearer, body }));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((r) => server.close(r)));

function reset(expiresIn = 3600) {
  Object.assign(state, { relayBad: null, relayBusy: null, relaySame: false, relayDelayMs: 0, tokenError: null, relay: [], relaySignedIn: false, grants: [], refreshes: 0, expiresIn, delayMs: 0, seen: [] });
  state.busy = { status: 429, retryAfter: '1', times: 0 };
}

// timeoutMs is short so that these tests measure the session, not the
// module's request timeout: Go's runtime may leave its wake-up setTimeout
// pending until a finished request's timeout would have fired.
function backend() {
  return g.client({
    timeoutMs: 1000,
    clientId: 'backend', redirectUri: REDIRECT, clientSecret: 's3cret',
    tokenEndpoint: `${base}/token`, storage: new MemoryStorage(),
    // The test's API, on loopback: GoTo's API hosts are the default.
    apiOrigins: [base, base.replace('127.0.0.1', 'localhost')],
  });
}

// A session holding a token from a first refresh (as after sign-in).
async function signedIn(expiresIn = 3600) {
  const c = backend();
  reset(expiresIn);
  const t = await c.refresh('rt-0');
  assert.equal(c.session.current.accessToken, t.accessToken, 'refresh() filled the session');
  assert.equal(c.session.current.refreshToken, undefined, 'the session hands out no refresh token');
  state.refreshes = 0;
  return c;
}

test('the session is an EventTarget on every client; token() rejects reauthenticate with nothing to go on', async () => {
  const c = backend();
  assert.ok(c.session instanceof EventTarget);
  assert.equal(c.session.current, null);
  await rejectsWith('reauthenticate', () => c.session.token());
});

test('token() refreshes a token within 60 s of expiry, once for concurrent calls', async () => {
  const c = await signedIn(30); // expires_in 30: inside the margin
  state.expiresIn = 3600;
  state.delayMs = 50;
  const changes = [];
  c.session.addEventListener('change', (e) => changes.push(e.detail));
  const got = await Promise.all([1, 2, 3, 4, 5].map(() => c.session.token()));
  assert.equal(state.refreshes, 1, 'five concurrent token() calls refresh once');
  assert.equal(new Set(got.map((t) => t.accessToken)).size, 1);
  assert.equal(changes.length, 1);
  assert.equal(changes[0].accessToken, got[0].accessToken);
  assert.equal(changes[0].refreshToken, undefined);
  // Fresh now: no more refreshes.
  assert.equal((await c.session.token()).accessToken, got[0].accessToken);
  assert.equal(state.refreshes, 1);
  // The refresh was made with the remembered refresh token.
  assert.equal(new URLSearchParams(state.seen.find((s) => s.path === '/token').body).get('refresh_token'), 'rt-0');
});

test('session.fetch adds the bearer; a 401 refreshes once and retries once', async () => {
  const c = await signedIn();
  const first = c.session.current.accessToken;
  let r = await c.session.fetch(`${base}/api/me`);
  assert.equal(r.status, 200);
  assert.equal((await r.json()).bearer, first);
  assert.equal(state.refreshes, 0);

  state.valid = new Set(); // the resource server refuses the token now
  state.seen = [];
  const [a, b] = await Promise.all([c.session.fetch(`${base}/api/me`), c.session.fetch(`${base}/api/me`)]);
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  assert.equal(state.refreshes, 1, 'two 401s at once, one refresh');
  const now = c.session.current.accessToken;
  assert.notEqual(now, first);
  assert.equal((await a.json()).bearer, now);
  assert.equal(state.seen.filter((s) => s.path === '/api/me').length, 4, 'each call retried once');
});

test('a persistent 401 is returned after one refresh and one retry', async () => {
  const c = await signedIn();
  state.seen = [];
  const r = await c.session.fetch(`${base}/api/always401`);
  assert.equal(r.status, 401);
  assert.equal(await r.text(), 'no');
  assert.equal(state.refreshes, 1);
  assert.equal(state.seen.filter((s) => s.path === '/api/always401').length, 2);
});

test('an Authorization the caller set is kept, and then a 401 is not retried', async () => {
  const c = await signedIn();
  state.seen = [];
  const r = await c.session.fetch(`${base}/api/always401`, { headers: { Authorization: 'Basic abc' } });
  assert.equal(r.status, 401);
  assert.equal(state.seen.length, 1);
  assert.equal(state.seen[0].auth, 'Basic abc');
  assert.equal(state.refreshes, 0);
});

test('429 with Retry-After: 1 is waited for and retried once, body and all', async () => {
  const c = await signedIn();
  state.busy = { status: 429, retryAfter: '1', times: 1 };
  state.seen = [];
  const t0 = Date.now();
  const r = await c.session.fetch(`${base}/api/busy`, { method: 'POST', body: 'hello' });
  const waited = Date.now() - t0;
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { bearer: c.session.current.accessToken, body: 'hello' });
  assert.ok(waited >= 950, `waited ${waited} ms`);
  assert.equal(state.seen.length, 2);

  // 503 with an HTTP date, and a second 429 after the retry is returned.
  state.busy = { status: 503, retryAfter: new Date(Date.now() + 1000).toUTCString(), times: 2 };
  state.seen = [];
  const r2 = await c.session.fetch(`${base}/api/busy`);
  assert.equal(r2.status, 503, 'it never loops');
  assert.equal(state.seen.length, 2);
});

test('Retry-After over 60 seconds, or none, is not retried; a stream body is not replayed', async () => {
  const c = await signedIn();
  for (const retryAfter of ['61', new Date(Date.now() + 120_000).toUTCString(), 'soon']) {
    state.busy = { status: 429, retryAfter, times: 1 };
    state.seen = [];
    const t0 = Date.now();
    const r = await c.session.fetch(`${base}/api/busy`);
    assert.equal(r.status, 429, retryAfter);
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(state.seen.length, 1);
  }
  state.busy = { status: 429, retryAfter: '0', times: 1 };
  state.seen = [];
  const body = new ReadableStream({ start(ctl) { ctl.enqueue(new TextEncoder().encode('once')); ctl.close(); } });
  const r = await c.session.fetch(`${base}/api/busy`, { method: 'POST', body, duplex: 'half' });
  assert.equal(r.status, 429);
  assert.equal(state.seen.length, 1);
  assert.equal(state.seen[0].body, 'once');
});

test('signOut empties the session and fires signedout', async () => {
  const c = await signedIn();
  let fired = 0;
  c.session.addEventListener('signedout', () => fired++);
  await c.signOut();
  assert.equal(fired, 1);
  assert.equal(c.session.current, null);
  await rejectsWith('reauthenticate', () => c.session.token());
  assert.equal(state.refreshes, 0, 'the refresh token was forgotten');
});

test('an implicit token at expiry rejects reauthenticate and fires expired', async () => {
  const c = g.client({ clientId: 'spa', redirectUri: REDIRECT, flow: 'implicit', storage: new MemoryStorage() });
  const a = c.authorize();
  const result = await c.handleRedirect(`${REDIRECT}#access_token=imp-1&token_type=Bearer&expires_in=30&state=${a.state}`);
  assert.equal(result.kind, 'token');
  assert.equal(c.session.current.accessToken, 'imp-1', 'handleRedirect filled the session');
  const expired = [];
  c.session.addEventListener('expired', (e) => expired.push(e.detail));
  await rejectsWith('reauthenticate', () => c.session.token());
  assert.equal(expired.length, 1);
  assert.equal(expired[0].accessToken, 'imp-1');

  // A longer-lived implicit token is handed out as it is.
  const b = c.authorize();
  await c.handleRedirect(`${REDIRECT}#access_token=imp-2&token_type=Bearer&expires_in=3600&state=${b.state}`);
  assert.equal((await c.session.token()).accessToken, 'imp-2');
});

test('a process that used the session exits on its own', async () => {
  const script = `
    import { load } from ${JSON.stringify(fileURLToPath(new URL('../gotoauth-node.js', import.meta.url)))};
    const g = await load();
    // timeoutMs: 3000, see backend() (enough on a loaded machine): the
    // session itself leaves no timer.
    const c = g.client({ clientId: 'backend', redirectUri: 'http://127.0.0.1:1/cb', clientSecret: 's', timeoutMs: 3000,
      tokenEndpoint: ${JSON.stringify(`${base}/token`)}, apiOrigins: [${JSON.stringify(base)}], storage: { getItem: () => null, setItem() {}, removeItem() {} } });
    try {
      await c.refresh('rt-0');
      const r = await c.session.fetch(${JSON.stringify(`${base}/api/busy`)});
      await c.session.token();
      console.log('done', r.status);
    } catch (err) {
      console.log('failed', err.code, err.message);
    }
  `;
  reset(30);
  state.busy = { status: 429, retryAfter: '1', times: 1 };
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const code = await new Promise((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve('timeout'); }, 6000);
    child.on('exit', (c) => { clearTimeout(timer); resolve(c); });
  });
  assert.equal(code, 0, `the child did not exit by itself (${out})`);
  assert.match(out, /done 200/);
  assert.ok(Date.now() - t0 < 6000);
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('a refresh() or exchangeCode() begun before signOut() puts nothing back after it', async () => {
  const c = await signedIn();
  const events = [];
  for (const type of ['change', 'signedout']) c.session.addEventListener(type, (e) => events.push([type, e.detail?.accessToken ?? null]));

  state.delayMs = 200;
  const refreshing = c.refresh('rt-late');
  await sleep(50); // the request is at the token server
  await c.signOut();
  await rejectsWith('reauthenticate', () => refreshing);
  assert.deepEqual(events, [['signedout', null]]);
  assert.equal(c.session.current, null);
  state.refreshes = 0;
  await rejectsWith('reauthenticate', () => c.session.token());
  assert.equal(state.refreshes, 0, 'no refresh token was kept');

  const a = c.authorize();
  const r = await c.handleRedirect(`${REDIRECT}?code=late-code&state=${a.state}`);
  events.length = 0;
  const exchanging = c.exchangeCode(r);
  await sleep(50);
  await c.signOut();
  await rejectsWith('reauthenticate', () => exchanging);
  assert.ok(state.grants.includes('authorization_code'));
  assert.deepEqual(events, [['signedout', null]]);
  assert.equal(c.session.current, null);
  state.refreshes = 0;
  await rejectsWith('reauthenticate', () => c.session.token());
  assert.equal(state.refreshes, 0, 'no refresh token was kept');

  // A sign-in after the sign-out fills the session again.
  state.delayMs = 0;
  await c.refresh('rt-new');
  assert.ok(c.session.current.accessToken);
});

test('session.fetch sends the bearer token over TLS only, plain http on loopback aside (RFC 6750 §5.3)', async () => {
  const c = await signedIn();
  const sent = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (r, init) => { sent.push(r.url); return realFetch(r, init); };
  try {
    for (const url of ['http://api.example.com/me', 'http://127.0.0.1.example.com/', 'ws://localhost/x', 'ftp://127.0.0.1/x']) {
      // Refused by apiOrigins, whose origins are https or loopback only.
      const e = await rejectsWith('invalid_argument', () => c.session.fetch(url));
      assert.match(e.message, /apiOrigins/);
    }
    await rejectsWith('invalid_argument', () => c.session.fetch(new Request('http://api.example.com/me', { method: 'POST', body: 'x' })));
    assert.deepEqual(sent, [], 'nothing was sent');
    const r = await c.session.fetch(`${base}/api/me`); // http://127.0.0.1:port
    assert.equal(r.status, 200);
    const l = await c.session.fetch(`${base.replace('127.0.0.1', 'localhost')}/api/me`).catch((err) => err);
    assert.ok(!(l instanceof Error && l.code === 'invalid_argument'), 'localhost is loopback');
  } finally {
    globalThis.fetch = realFetch;
  }
});

test('client.close() releases the client: its BroadcastChannel is closed and its calls refused', async () => {
  // A page (document defined) opens a channel per client.
  const opened = [];
  const RealChannel = globalThis.BroadcastChannel;
  globalThis.BroadcastChannel = class extends RealChannel {
    constructor(name) { super(name); this.closedByClient = false; opened.push(this); }
    close() { this.closedByClient = true; super.close(); }
  };
  globalThis.document = {};
  let c;
  try {
    c = g.client({ clientId: 'closable', redirectUri: REDIRECT, storage: new MemoryStorage() });
  } finally {
    delete globalThis.document;
    globalThis.BroadcastChannel = RealChannel;
  }
  assert.equal(opened.length, 1);
  assert.equal(opened[0].closedByClient, false);
  assert.equal(c.close(), undefined);
  assert.equal(opened[0].closedByClient, true, 'the channel is closed');
  c.close(); // twice is harmless
  assert.throws(() => c.authorize(), (e) => e.code === 'invalid_argument' && /closed/.test(e.message));
  await rejectsWith('invalid_argument', () => c.refresh('rt'));
  await rejectsWith('invalid_argument', () => c.session.token());
  await rejectsWith('invalid_argument', () => c.session.fetch(`${base}/api/me`));
  assert.equal(c.session.current, null);
  // Other clients work on.
  const d = backend();
  await d.refresh('rt-0');
  assert.ok(d.session.current);
});

test('apiOrigins: session.fetch sends the token only to the origins the app names, compared exactly; GoTo\'s API hosts by default', async () => {
  const c = await signedIn();
  const port = Number(new URL(base).port);
  const sent = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (r, init) => { sent.push(r.url); return realFetch(r, init); };
  try {
    const refused = [
      'https://evil.example/steal', // a third party
      `http://127.0.0.1:${port + 1 === 65536 ? port - 1 : port + 1}/api/me`, // an allowed host on another port
      `https://127.0.0.1:${port}/api/me`, // another scheme
      `http://127.0.0.1.evil.example:${port}/api/me`, // a look-alike host
      `http://[::1]:${port}/api/me`, // loopback, but not the named host
    ];
    for (const url of refused) {
      const e = await rejectsWith('invalid_argument', () => c.session.fetch(url));
      assert.match(e.message, /apiOrigins/, url);
      await rejectsWith('invalid_argument', () => c.session.fetch(new Request(url)));
    }
    const userinfo = await rejectsWith('invalid_argument', () => c.session.fetch(`http://user:pw@127.0.0.1:${port}/api/me`));
    assert.match(userinfo.message, /userinfo/);
    assert.deepEqual(sent, [], 'nothing was sent');
    assert.equal((await c.session.fetch(`${base}/api/me`)).status, 200);
    // The same origin written otherwise: the host's case does not count.
    assert.equal((await c.session.fetch(`${base.replace('127.0.0.1', 'LOCALHOST')}/api/me`)).status, 200);
  } finally {
    globalThis.fetch = realFetch;
  }
  // The default: GoTo's API hosts, and nothing else.
  const d = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage() });
  assert.deepEqual(d.config.apiOrigins, ['https://api.getgo.com', 'https://api.goto.com', 'https://api.jive.com']);
  for (const url of [`${base}/api/me`, 'https://api.getgo.com.evil.example/x', 'https://api.goto.com:8443/x', 'http://api.goto.com/x', 'https://evil.example/?https://api.goto.com']) {
    const e = await rejectsWith('invalid_argument', () => d.session.fetch(url));
    assert.match(e.message, /apiOrigins \(https:\/\/api\.getgo\.com, https:\/\/api\.goto\.com, https:\/\/api\.jive\.com\)/, url);
  }
  // A default origin passes the check and goes on to ask for a token.
  await rejectsWith('reauthenticate', () => d.session.fetch('https://api.goto.com/admin/v1/me'));
  d.close();
});

test('apiOrigins: each origin is checked when the client is made', () => {
  const make = (apiOrigins) => g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage(), apiOrigins });
  const bad = [
    [['http://api.example.com'], /https/],
    [['https://user:pw@api.example.com'], /userinfo/],
    [['https://api.example.com/v1'], /path/],
    [['https://api.example.com/?x'], /path, query/],
    [['https://api.example.com?x'], /path, query/],
    [['https://api.example.com#x'], /path, query or fragment/],
    [['api.example.com'], /not an origin such as/],
    [['https://'], /not an origin such as/],
    [['ftp://127.0.0.1'], /https/],
    [[''], /not an origin/],
    [['https://a.example https://b.example'], /not an origin/],
    [[42], /must be a string/],
    ['https://api.example.com', /must be an array/],
    [Array(33).fill('https://a.example'), /more than 32/],
  ];
  for (const [value, message] of bad) {
    const e = throwsWith('invalid_argument', () => make(value));
    assert.match(e.message, /apiOrigins/, JSON.stringify(value));
    assert.match(e.message, message, e.message);
  }
  const c = make(['https://API.Example.com:443', 'http://localhost:8080/', 'http://[::1]:9000']);
  // Each as the URL standard serialises an origin: what a request's is compared with.
  assert.deepEqual(c.config.apiOrigins, ['https://api.example.com', 'http://localhost:8080', 'http://[::1]:9000']);
  c.close();
  const none = make([]);
  assert.deepEqual(none.config.apiOrigins, []);
  none.close();
});

test('me() with a refused token (401) says what to do: refresh, or sign in again', async () => {
  const c = g.client({ clientId: 'c', redirectUri: REDIRECT, storage: new MemoryStorage(), meEndpoint: `${base}/api/always401`, timeoutMs: 1000 });
  const e = await rejectsWith('http_error', () => c.me('revoked-token'));
  assert.equal(e.status, 401);
  assert.equal(e.message, 'the access token was refused, so it was revoked or has expired: refresh it (session.token()), or sign in again (SCIM /me answered HTTP 401)');
  c.close();
});

test('errors are one sentence: what it means first, the server\'s words after, no stacked prefixes', async () => {
  const c = await signedIn();
  state.tokenError = { status: 400, body: { error: 'invalid_grant', error_description: 'The refresh token is expired.' } };
  const e = await rejectsWith('reauthenticate', () => c.refresh('rt-dead'));
  assert.equal(e.message, 'the refresh token can no longer be used; sign in again (the token endpoint answered invalid_grant: "The refresh token is expired.")');
  assert.equal(e.error, 'invalid_grant');
  const a = c.authorize();
  const r = await c.handleRedirect(`${REDIRECT}?code=old&state=${a.state}`);
  state.tokenError = { status: 400, body: { error: 'invalid_grant' } };
  const x = await rejectsWith('oauth_error', () => c.exchangeCode(r));
  assert.equal(x.message, 'the code expired, was used, or does not match this client, redirect URI or verifier; sign in again (the token endpoint answered invalid_grant)');
  const nowhere = g.client({ clientId: 'c', redirectUri: REDIRECT, clientSecret: 's', tokenEndpoint: 'http://127.0.0.1:1/token', storage: new MemoryStorage() });
  const n = await rejectsWith('network_error', () => nowhere.refresh('rt'));
  assert.match(n.message, /^the token endpoint could not be reached \([^:]+\)$/);
});

test('invalid_client without a clientSecret hints at clientSecret and the relay; with one, it does not', async () => {
  reset();
  state.tokenError = { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed.' } };
  const public_ = g.client({ clientId: 'confidential', redirectUri: REDIRECT, tokenEndpoint: `${base}/token`, storage: new MemoryStorage(), timeoutMs: 1000 });
  const e = await rejectsWith('oauth_error', () => public_.refresh('rt'));
  assert.match(e.message, /clientSecret/);
  assert.match(e.message, /relay/);
  assert.equal(e.error, 'invalid_client');
  const withSecret = backend();
  const f = await rejectsWith('oauth_error', () => withSecret.refresh('rt'));
  assert.doesNotMatch(f.message, /clientSecret/);
});

test('a second exchangeCode of one result says the code was already exchanged', async () => {
  reset();
  const c = backend();
  const a = c.authorize();
  const r = await c.handleRedirect(`${REDIRECT}?code=once&state=${a.state}`);
  await c.exchangeCode(r);
  const e = await rejectsWith('code_already_used', () => c.exchangeCode(r));
  assert.match(e.message, /already exchanged/);
  // Also when the first exchange failed: the code was sent.
  const b = c.authorize();
  const r2 = await c.handleRedirect(`${REDIRECT}?code=twice&state=${b.state}`);
  state.tokenError = { status: 400, body: { error: 'invalid_request' } };
  await rejectsWith('oauth_error', () => c.exchangeCode(r2));
  await rejectsWith('code_already_used', () => c.exchangeCode(r2));
  assert.equal(state.grants.filter((x) => x === 'authorization_code').length, 2, 'each code was sent once');
});

test('a signed-out page asks the relay nothing: the sign-in mark in localStorage', async () => {
  reset();
  const storage = new MemoryStorage();
  const made = [];
  // A page: the one before it is gone (a reload), so no tab answers.
  const page = () => {
    for (const old of made) old.close();
    globalThis.document = {};
    globalThis.localStorage = storage;
    const c = g.client({ clientId: 'spa', redirectUri: REDIRECT, relay: `${base}/relay/`, storage: new MemoryStorage(), timeoutMs: 1000 });
    made.push(c);
    return c;
  };
  try {
    // Never signed in: token() rejects without a request.
    let c = page();
    await rejectsWith('reauthenticate', () => c.session.token());
    assert.deepEqual(state.relay, []);
    // A sign-in through the relay leaves the mark, and never a token.
    const a = c.authorize();
    await c.exchangeCode(await c.handleRedirect(`${REDIRECT}?code=relay-code&state=${a.state}`));
    assert.deepEqual([...storage.map.entries()].filter(([k]) => k.startsWith('gotoauth.relay.')), [['gotoauth.relay.spa', '1']]);
    for (const v of storage.map.values()) assert.doesNotMatch(v, /relay-\d/);
    // A reload: a new page restores the session from the relay.
    c = page();
    state.relay = [];
    assert.match((await c.session.token()).accessToken, /^relay-/);
    assert.deepEqual(state.relay, ['/relay/refresh']);
    // Signed out: the mark is gone, and the next page asks nothing.
    await c.signOut();
    assert.equal(storage.getItem('gotoauth.relay.spa'), null);
    c = page();
    state.relay = [];
    await rejectsWith('reauthenticate', () => c.session.token());
    assert.deepEqual(state.relay, []);
    // A mark whose relay sign-in is gone (the cookie expired) is removed at the relay's answer.
    storage.setItem('gotoauth.relay.spa', '1');
    await rejectsWith('reauthenticate', () => c.session.token());
    assert.deepEqual(state.relay, ['/relay/refresh']);
    assert.equal(storage.getItem('gotoauth.relay.spa'), null);
  } finally {
    delete globalThis.document;
    delete globalThis.localStorage;
    for (const c of made) c.close?.();
  }
});

test('a relay that answers "not now" is asked again, never taken for a sign-out; errors are one sentence', async () => {
  reset();
  const storage = new MemoryStorage();
  globalThis.document = {};
  globalThis.localStorage = storage;
  const c = g.client({ clientId: 'spa-busy', redirectUri: REDIRECT, relay: `${base}/relay/`, storage: new MemoryStorage(), timeoutMs: 1000 });
  try {
    storage.setItem('gotoauth.relay.spa-busy', '1');
    state.relaySignedIn = true;
    // Twice 503 with Retry-After: 0, then the token: retried within the budget.
    state.relayBusy = { times: 2, retryAfter: '0' };
    assert.match((await c.session.token()).accessToken, /^relay-/);
    assert.deepEqual(state.relay, ['/relay/refresh', '/relay/refresh', '/relay/refresh']);
    // Longer than the budget (relayRetryMs): try_again, in a person's words,
    // the relay's in the fields; the mark stays.
    state.relay = [];
    state.relayBusy = { times: 1, retryAfter: '30' };
    const e = await rejectsWith('try_again', () => c.refresh());
    assert.equal(e.message, 'The sign-in service is briefly unavailable; try again in a moment.');
    assert.equal(e.status, 503);
    assert.equal(e.error, 'temporarily_unavailable');
    assert.match(e.errorDescription, /store/);
    assert.equal(storage.getItem('gotoauth.relay.spa-busy'), '1');
    // A sign-out answered 503 is retried like a refresh, and never reported as done.
    state.relay = [];
    state.relayBusy = { times: 5, retryAfter: '30' };
    await rejectsWith('try_again', () => c.signOut());
    assert.equal(state.relaySignedIn, true);
    assert.equal(storage.getItem('gotoauth.relay.spa-busy'), '1', 'an unrecorded sign-out keeps the mark');
    state.relayBusy = { times: 1, retryAfter: '0' };
    await c.signOut();
    assert.equal(state.relaySignedIn, false);
    assert.equal(storage.getItem('gotoauth.relay.spa-busy'), null);
    // No cookie: one sentence, "sign in again" once, the relay's words in the fields.
    storage.setItem('gotoauth.relay.spa-busy', '1');
    const r = await rejectsWith('reauthenticate', () => c.session.token());
    assert.equal(r.message.match(/sign in again/g).length, 1, r.message);
    assert.doesNotMatch(r.message, /invalid_grant|\(/);
    assert.equal(r.error, 'invalid_grant');
    assert.equal(r.status, 401);
  } finally {
    c.close();
    delete globalThis.document;
    delete globalThis.localStorage;
  }
});

test('a relay that lies, stalls or never stops sending: a clear error, the mark kept, the relay\'s words whole', async () => {
  reset();
  const storage = new MemoryStorage();
  globalThis.document = {};
  globalThis.localStorage = storage;
  const c = g.client({ clientId: 'spa-bad', redirectUri: REDIRECT, relay: `${base}/relay/`, storage: new MemoryStorage(), timeoutMs: 300 });
  try {
    storage.setItem('gotoauth.relay.spa-bad', '1');
    state.relaySignedIn = true;
    state.relayBad = 'not-a-token'; // GoTo's shape, not the library's
    await rejectsWith('invalid_response', () => c.refresh());
    state.relayBad = 'huge';
    await rejectsWith('invalid_response', () => c.refresh());
    state.relayBad = 'endless';
    await rejectsWith('invalid_response', () => c.refresh());
    state.relayBad = 'stall';
    const stalled = await rejectsWith('network_error', () => c.refresh());
    assert.match(stalled.message, /300 ms/);
    state.relayBad = 'long-error';
    const refused = await rejectsWith('oauth_error', () => c.refresh());
    assert.equal(refused.errorDescription.length, 5000, 'carried whole, never cut');
    assert.equal(storage.getItem('gotoauth.relay.spa-bad'), '1', 'none of these is a sign-out');
    assert.equal(c.session.current, null, 'nothing was stored');
    // And the client still works once the relay does.
    state.relayBad = null;
    assert.match((await c.session.token()).accessToken, /^relay-/);
  } finally {
    c.close();
    delete globalThis.document;
    delete globalThis.localStorage;
  }
});

test('through a relay, a code exchange that settles after signOut() is signed out again at the relay', async () => {
  reset();
  const c = g.client({ clientId: 'spa', redirectUri: REDIRECT, relay: `${base}/relay/`, storage: new MemoryStorage(), timeoutMs: 2000 });
  const signedOut = [];
  c.session.addEventListener('signedout', () => signedOut.push(1));
  const a = c.authorize();
  const r = await c.handleRedirect(`${REDIRECT}?code=late&state=${a.state}`);
  state.relayDelayMs = 300;
  const exchanging = c.exchangeCode(r);
  await sleep(50);
  await c.signOut(); // reaches the relay first; the exchange then sets its cookie
  await rejectsWith('reauthenticate', () => exchanging);
  assert.deepEqual(state.relay, ['/relay/token', '/relay/signout', '/relay/signout']);
  assert.equal(state.relaySignedIn, false, 'the relay holds no sign-in');
  assert.equal(c.session.current, null);
  assert.equal(signedOut.length, 1);
});

test("the change event's source says where the token came from: exchange, refresh, memory", async () => {
  reset();
  const c = g.client({ clientId: 'spa', redirectUri: REDIRECT, relay: `${base}/relay/`, storage: new MemoryStorage(), timeoutMs: 2000 });
  const seen = [];
  c.session.addEventListener('change', (e) => seen.push([e.source, e.detail.accessToken]));
  const a = c.authorize();
  const t1 = await c.exchangeCode(await c.handleRedirect(`${REDIRECT}?code=x&state=${a.state}`));
  const t2 = await c.refresh();
  state.relaySame = true; // the relay answers the next refresh from its memory
  const t3 = await c.refresh();
  assert.equal(t3.accessToken, t2.accessToken);
  assert.deepEqual(seen, [['exchange', t1.accessToken], ['refresh', t2.accessToken], ['memory', t2.accessToken]]);
  c.close();

  // An implicit redirect's token is an exchange's too.
  const i = g.client({ clientId: 'spa', redirectUri: REDIRECT, flow: 'implicit', storage: new MemoryStorage() });
  const implicit = [];
  i.session.addEventListener('change', (e) => implicit.push(e.source));
  const b = i.authorize();
  await i.handleRedirect(`${REDIRECT}#access_token=imp-9&token_type=Bearer&expires_in=3600&state=${b.state}`);
  assert.deepEqual(implicit, ['exchange']);
  i.close();

  // The session's own renewal is a refresh.
  const r = await signedIn(30);
  state.expiresIn = 3600;
  const renewed = [];
  r.session.addEventListener('change', (e) => renewed.push(e.source));
  await r.session.token();
  assert.deepEqual(renewed, ['refresh']);
});
