// Where a page's client may send things, in Chromium and Firefox: the
// relay only on the page's own origin (its cookie is same-origin), and
// session.fetch's bearer token only to the origins of apiOrigins.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';
import { startApp } from './appserver.mjs';
import { BROWSERS, launch } from './browsers.mjs';

const PAGE = `<!doctype html><meta charset="utf-8"><title>loading</title>
<script type="module">
import { load } from '/gotoauth.js';
window.g = await load();
document.title = 'ready';
</script>`;

let serve;
let app;
let apiHits = 0; // requests that reached the app's /api/

before(async () => {
  serve = await startServer({ relay: true });
  app = await startApp(serve, (req, res, path) => {
    if (path.startsWith('/api/')) {
      apiHits++;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ authorization: req.headers.authorization ?? null }));
      return true;
    }
    if (path !== '/page.html') return false;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(PAGE);
    return true;
  });
});

after(async () => {
  await app?.close();
  await serve?.stop();
});

// Makes a client in the page with config (whose redirectUri is the page's)
// and says what happened: {ok, relay} or {code, message}.
function makeClient(page, config) {
  return page.evaluate((c) => {
    try {
      const client = window.g.client({ clientId: 'gotoauth-demo', redirectUri: `${location.origin}/page.html`, ...c });
      const relay = client.config.relay;
      client.close();
      return { ok: true, relay };
    } catch (err) {
      return { code: err.code, message: err.message };
    }
  }, config);
}

for (const name of BROWSERS) {
  test(`${name}: a relay on another origin than the page's is refused when the client is made`, async () => {
    const browser = await launch(name);
    try {
      const page = await browser.newPage();
      await page.goto(`${app.base}/page.html`);
      await page.waitForFunction(() => document.title === 'ready');
      // serve.go's own relay: another port of the same loopback host.
      for (const relay of [`${serve.base}/relay/`, `${app.base.replace('127.0.0.1', 'localhost')}/relay/`]) {
        const r = await makeClient(page, { relay });
        assert.equal(r.code, 'invalid_argument', JSON.stringify(r));
        assert.match(r.message, /the relay must be served from the page's own origin/);
        assert.ok(r.message.includes(`(${app.base})`), r.message);
      }
      assert.deepEqual(await makeClient(page, { relay: '/relay/' }), { ok: true, relay: `${app.base}/relay/` });
      assert.deepEqual(await makeClient(page, { relay: `${app.base}/relay/` }), { ok: true, relay: `${app.base}/relay/` });
    } finally {
      await browser.close();
    }
  });
}

// session.fetch in the page with a client whose apiOrigins is the page's own
// origin, after an implicit sign-in (a token in the session without a
// relay): {ok, status, authorization} or {code, message} for each URL.
function fetchEach(page, urls) {
  return page.evaluate(async (list) => {
    const c = window.g.client({ clientId: 'gotoauth-demo', redirectUri: `${location.origin}/page.html`, flow: 'implicit', apiOrigins: [location.origin] });
    const a = c.authorize();
    await c.handleRedirect(`${location.origin}/page.html#access_token=at-1&token_type=Bearer&expires_in=3600&state=${a.state}`, { cleanAddressBar: false });
    const out = [];
    for (const url of list) {
      try {
        const r = await c.session.fetch(url);
        out.push({ ok: true, status: r.status, authorization: (await r.json()).authorization });
      } catch (err) {
        out.push({ code: err.code, message: err.message });
      }
    }
    c.close();
    return out;
  }, urls);
}

for (const name of BROWSERS) {
  test(`${name}: session.fetch sends the token only to the origins of apiOrigins`, async () => {
    const browser = await launch(name);
    try {
      const page = await browser.newPage();
      await page.goto(`${app.base}/page.html`);
      await page.waitForFunction(() => document.title === 'ready');
      const port = Number(new URL(app.base).port);
      const refused = [
        'https://evil.example/api/steal', // a third party
        `http://127.0.0.1.evil.example:${port}/api/me`, // a look-alike host
        `http://user:pw@127.0.0.1:${port}/api/me`, // userinfo
        `http://127.0.0.1:${port === 65535 ? port - 1 : port + 1}/api/me`, // the allowed host on another port
        `http://localhost:${port}/api/me`, // the same machine under another name
      ];
      const before = apiHits;
      const results = await fetchEach(page, [...refused, '/api/me', `${app.base}/api/me`]);
      for (const [i, url] of refused.entries()) {
        assert.equal(results[i].code, 'invalid_argument', `${url}: ${JSON.stringify(results[i])}`);
        assert.match(results[i].message, i === 2 ? /userinfo/ : /apiOrigins \(http:\/\/127\.0\.0\.1:\d+\)/, url);
      }
      assert.deepEqual(results.slice(refused.length), [
        { ok: true, status: 200, authorization: 'Bearer at-1' },
        { ok: true, status: 200, authorization: 'Bearer at-1' },
      ]);
      assert.equal(apiHits - before, 2, 'nothing was sent to a refused URL');
      // The default is GoTo's API hosts: the page's own origin is refused.
      const d = await page.evaluate(async () => {
        const c = window.g.client({ clientId: 'gotoauth-demo', redirectUri: `${location.origin}/page.html` });
        try {
          await c.session.fetch('/api/me');
          return { ok: true, origins: c.config.apiOrigins };
        } catch (err) {
          return { code: err.code, message: err.message, origins: c.config.apiOrigins };
        } finally {
          c.close();
        }
      });
      assert.equal(d.code, 'invalid_argument');
      assert.deepEqual(d.origins, ['https://api.getgo.com', 'https://api.goto.com', 'https://api.jive.com']);
    } finally {
      await browser.close();
    }
  });
}
