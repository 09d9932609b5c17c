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

before(async () => {
  serve = await startServer({ relay: true });
  app = await startApp(serve, (req, res, path) => {
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
