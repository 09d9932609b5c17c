// The README's complete app (web/examples/minimal), as a user runs it: the
// packed tarball installed beside its files, `src/main.ts` type-checked with
// tsc --strict under create-vite's tsconfig, `vite build`, then `vite
// preview` with the example's own vite.config.js proxying /relay/ to a
// serve.go -emulator -relay that allows the preview's origin (the README's
// "Your own dev server"). In Chromium and Firefox a person signs in at the
// emulator's consent page, reloads, and signs out. The only change to the
// example's files is the address of serve.go, which here is on a free port
// rather than make run's 8080 (example-app.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { preview } from 'vite';
import { BROWSERS, launch } from './browsers.mjs';
import { startServer, freePort } from './server.mjs';
import { makeExampleApp, typecheck, viteBuild } from './example-app.mjs';

let serve; // serve.go -emulator -relay
let example; // {app, remove}
let checked; // tsc's {status, output}
let built; // vite build's {status, output}
let site; // vite preview's server
let base; // its origin

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  serve = await startServer({ relay: true, allowOrigins: [base] });
  example = makeExampleApp({ serveGo: serve.base });
  checked = typecheck(example.app);
  built = viteBuild(example.app);
  if (built.status === 0) {
    site = await preview({
      root: example.app,
      configFile: join(example.app, 'vite.config.js'),
      logLevel: 'warn',
      preview: { host: '127.0.0.1', port, strictPort: true, open: false },
    });
  }
});

after(async () => {
  await site?.close();
  await serve?.stop();
  example?.remove();
});

test('src/main.ts type-checks with tsc --strict against the installed package', () => {
  assert.equal(checked.status, 0, `tsc failed:\n${checked.output}`);
});

test('vite build: exit 0, no warning, the wasm a hashed asset', () => {
  assert.equal(built.status, 0, `vite build failed:\n${built.output}`);
  assert.match(built.output, /^dist\/assets\/gotoauth-[A-Za-z0-9_-]+\.wasm\s/m, built.output);
  for (const bad of [/warn/i, /error/i, /\(!\)/]) assert.doesNotMatch(built.output, bad, built.output);
});

const status = (page) => page.textContent('#status');

// Waits until #status reads something other than the first "Loading…".
async function settled(page) {
  await page.waitForFunction(() => {
    const t = document.querySelector('#status')?.textContent;
    return t && t !== 'Loading…' ? t : '';
  });
  return status(page);
}

for (const name of BROWSERS) {
  test(`in ${name}: sign in at the emulator through the app, reload, sign out`, async () => {
    assert.ok(site, `no build to serve:\n${built?.output}`);
    const browser = await launch(name);
    const problems = [];
    try {
      const page = await browser.newPage();
      page.on('pageerror', (err) => problems.push(`page error: ${err?.stack || err}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
      });

      await page.goto(`${base}/`);
      assert.equal(await settled(page), 'Not signed in.');

      await page.click('#sign-in');
      await page.waitForURL((u) => u.origin === serve.base && u.pathname === '/goto/oauth/authorize');
      await page.click('#allow');
      await page.waitForURL((u) => u.origin === base);
      const signedIn = await settled(page);
      assert.match(signedIn, /^Signed in as \S+\.$/);
      const bar = new URL(await page.addressBar());
      assert.equal(bar.search + bar.hash, '', 'the code and state were left in the address bar');
      const cookies = await page.cookies();
      assert.ok(cookies.some((c) => c.httpOnly && c.sameSite === 'Strict' && c.path.startsWith('/relay')),
        `no relay cookie on the app's origin: ${JSON.stringify(cookies.map((c) => c.name))}`);

      await page.reload();
      assert.equal(await settled(page), signedIn, 'the reload did not restore the sign-in through the relay');

      await page.click('#sign-out');
      await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'Not signed in.');
      await page.reload();
      assert.equal(await settled(page), 'Not signed in.', 'a reload after the sign-out signed in again');
      await page.close();
    } finally {
      await browser.close();
    }
    assert.deepEqual(problems, [], `errors in ${name}`);
  });
}
