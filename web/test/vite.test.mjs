// The npm package in a real bundler and real browsers: the tarball that
// `make pack` writes is installed into a scratch Vite app (copied from
// test/vite-app), built with the Vite pinned in web/package.json (run from
// web/node_modules, so nothing is fetched at test time), served from dist/ on
// a loopback port, and opened in Debian's Chromium and Firefox, where the
// app imports gotoauth by name, loads it and uses the API (test/vite-app/main.js
// reports; the assertions are here).
//
// That the installed package imports by name in Node is package.test.mjs's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSERS, launch } from './browsers.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const web = join(repo, 'web');
const fixture = fileURLToPath(new URL('./vite-app', import.meta.url));
const vite = join(web, 'node_modules', 'vite', 'bin', 'vite.js');
const devPkg = JSON.parse(readFileSync(join(web, 'package.json'), 'utf8'));

const WASM_ASSET = /^gotoauth-[A-Za-z0-9_-]+\.wasm$/;

let scratch; // holds the tarball's copy and the app
let app;
let build; // {status, output}
let server; // {base, requests, close}

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

// Every file under dir, as paths relative to it.
function files(dir) {
  return readdirSync(dir, { recursive: true }).filter((f) => statSync(join(dir, f)).isFile()).sort();
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

// A static server for dir on a free loopback port: GET and HEAD only, no
// path outside dir, `/` is index.html, nosniff so that every type must be
// right. Records each request as {path, status, type}.
function serve(dir) {
  const root = resolve(dir);
  const requests = [];
  const srv = createServer((req, res) => {
    let path;
    let status = 200;
    let type;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    } catch {
      path = req.url;
    }
    const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    let body;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      status = 405;
    } else if (file !== root && !file.startsWith(root + sep)) {
      status = 403;
    } else {
      try {
        body = readFileSync(file);
        type = MIME[extname(file)] ?? 'application/octet-stream';
      } catch {
        status = 404;
      }
    }
    requests.push({ path, status, type });
    const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    if (status === 200) {
      res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else {
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${status}\n`);
    }
  });
  return new Promise((ok, fail) => {
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      ok({
        base: `http://127.0.0.1:${srv.address().port}`,
        requests,
        close: () => new Promise((done) => {
          srv.closeAllConnections();
          srv.close(() => done());
        }),
      });
    });
  });
}

before(async () => {
  const out = sh('make', ['--no-print-directory', 'pack'], { cwd: repo });
  const packed = out.trimEnd().split('\n').at(-1);
  scratch = mkdtempSync(join(tmpdir(), 'gotoauth-vite-'));
  // A copy of our own: package.test.mjs's `make pack` empties web/dist-pack.
  const tarball = join(scratch, basename(packed));
  copyFileSync(packed, tarball);
  app = join(scratch, 'app');
  cpSync(fixture, app, { recursive: true });
  // The tarball has no dependencies, so npm needs no registry: --offline,
  // and a registry that does not answer, make sure of it.
  sh('npm', ['install', '--offline', '--registry=http://127.0.0.1:9/', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app });
  const r = spawnSync(process.execPath, [vite, 'build', app], {
    cwd: app,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  build = { status: r.status, output: `${r.stdout}${r.stderr}`, error: r.error };
  if (build.status === 0) server = await serve(join(app, 'dist'));
});

after(async () => {
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('the Vite that builds the app is the one pinned in web/package.json', () => {
  const pinned = devPkg.devDependencies.vite;
  assert.match(pinned, /^\d+\.\d+\.\d+$/, 'vite is not pinned to an exact version');
  const installed = JSON.parse(readFileSync(join(web, 'node_modules', 'vite', 'package.json'), 'utf8')).version;
  assert.equal(installed, pinned, 'web/node_modules has another vite: run npm ci in web/');
  const app = JSON.parse(readFileSync(join(fixture, 'package.json'), 'utf8'));
  assert.equal(app.dependencies, undefined, 'the fixture app must install nothing but the tarball');
  assert.equal(app.devDependencies, undefined, 'the fixture app must install nothing but the tarball');
});

test('vite build: exit 0, no warning, the wasm a hashed asset, nothing from Node in the bundle', () => {
  assert.equal(build.error, undefined, String(build.error));
  assert.equal(build.status, 0, `vite build failed:\n${build.output}`);
  const out = build.output;
  assert.match(out, new RegExp(`vite v${devPkg.devDependencies.vite.replace(/\./g, '\\.')} building`), out);
  assert.match(out, /✓ \d+ modules transformed\./, out);
  assert.match(out, /^dist\/assets\/gotoauth-[A-Za-z0-9_-]+\.wasm\s/m, out);
  assert.match(out, /✓ built in /, out);
  // A Node built-in reaching the browser build is reported by Vite 8 as
  // `[plugin rolldown:vite-resolve] Module "node:fs/promises" has been
  // externalized for browser compatibility, imported by ".../gotoauth-node.js"`;
  // any other warning or error fails too (Vite marks some with "(!)").
  for (const bad of [/externalized for browser compatibility/i, /node:/, /__vite-browser-external/, /\(!\)/, /warn/i, /error/i]) {
    assert.doesNotMatch(out, bad, `vite build said:\n${out}`);
  }

  const dist = join(app, 'dist');
  const all = files(dist);
  assert.deepEqual(all.filter((f) => /browser-external/.test(f)), [], 'a __vite-browser-external chunk');
  const wasm = all.filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `wasm files: ${wasm.join(', ')}`);
  assert.equal(dirname(wasm[0]), 'assets', `${wasm[0]} is not in dist/assets`);
  assert.match(basename(wasm[0]), WASM_ASSET);
  assert.ok(readFileSync(join(dist, wasm[0])).equals(readFileSync(join(app, 'node_modules', 'gotoauth', 'gotoauth.wasm'))),
    'the emitted wasm is not the package\'s');

  // Two chunks: the app with the package, and the Go runtime with its glue,
  // which the loader imports only when the module starts (a signed-in page
  // in relay mode gets its first token without it).
  const js = all.filter((f) => /\.m?js$/.test(f));
  assert.equal(js.length, 2, `JS chunks: ${js.join(', ')}`);
  assert.equal(js.filter((f) => /gotoauth-runtime/.test(f)).length, 1, `JS chunks: ${js.join(', ')}`);
  const bundle = js.map((f) => readFileSync(join(dist, f), 'utf8')).join('\n');
  // Nothing from Node: no built-in imported or required, not the Node entry
  // (the only file that reads the disk), no Vite stand-in for a built-in.
  // Vite 8 (Rolldown) inlines its empty stand-in, with no
  // __vite-browser-external chunk or name: were the Node entry bundled, its
  // `readFile` call would be what is left. (Tested without printing the
  // 18 kB bundle on failure.)
  const has = (re) => re.test(bundle);
  assert.equal(has(/["'`]node:/), false, 'a node: specifier in the bundle');
  assert.equal(has(/\bfs\/promises\b|\breadFile\b/), false, "the Node entry's file reading in the bundle");
  assert.equal(has(/\brequire\s*\(/), false, 'require() in the bundle');
  assert.equal(has(/__vite-browser-external|browser-external/), false, "Vite's stand-in for a Node built-in in the bundle");
  // The one dynamic import is the Go runtime's chunk.
  const dynamic = [...bundle.matchAll(/\bimport\s*\(\s*([^)]*)\)/g)].map((m) => m[1]);
  assert.ok(dynamic.length > 0 && dynamic.every((d) => /gotoauth-runtime/.test(d)), `dynamic imports in the bundle: ${dynamic.join(', ')}`);
  // The module is found at the emitted asset's URL, not next to a source file.
  assert.ok(bundle.includes(`/assets/${basename(wasm[0])}`), 'the bundle does not refer to the emitted wasm');
  assert.equal(has(/\.\/gotoauth\.wasm/), false, 'the bundle still looks for ./gotoauth.wasm');
  // The app's index.html keeps its classic script first, then the bundle.
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const main = js.find((f) => !/gotoauth-runtime/.test(f));
  assert.ok(html.indexOf('window.process = {') > 0 && html.indexOf('window.process = {') < html.indexOf(`/${main.split(sep).join('/')}`), html);
});

// Puppeteer adds globals of its own to the pages it drives, whenever it
// needs them, so before or after the page's snapshot (see browsers.mjs):
// __ariaQuerySelector and __ariaQuerySelectorAll in both browsers, and in
// Chromium also the DevTools bindings behind them, whose names carry
// puppeteer-core's CDP_BINDING_PREFIX 'puppeteer_'
// (puppeteer___ariaQuerySelector, puppeteer___ariaQuerySelectorAll), and
// __puppeteer* ones. Those names are not the page's and are ignored.
const puppeteers = (name) => name.startsWith('__ariaQuerySelector') || name.startsWith('__puppeteer') || name.startsWith('puppeteer_');

for (const name of BROWSERS) {
  test(`in ${name}: the Vite app loads gotoauth from its hashed asset and the API works`, async (t) => {
    assert.ok(server, `no build to serve:\n${build?.output}`);
    const browser = await launch(name);
    const problems = [];
    try {
      const page = await browser.newPage();
      page.on('pageerror', (err) => problems.push(`page error: ${err?.stack || err}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
      });
      const first = server.requests.length;
      await page.goto(`${server.base}/`);
      await page.waitForFunction(() => document.getElementById('result')?.dataset.status);
      const status = await page.getAttribute('#result', 'data-status');
      const text = await page.textContent('#result');
      assert.equal(status, 'done', `the page failed in ${browser.version}:\n${text}`);
      const r = JSON.parse(text);
      const requests = server.requests.slice(first);
      await page.close();
      assert.deepEqual(problems, [], `errors in ${name}`);

      // The module: the hashed asset, served as application/wasm.
      const wasmPaths = requests.filter((q) => q.path.endsWith('.wasm'));
      assert.equal(wasmPaths.length, 1, JSON.stringify(requests));
      assert.match(wasmPaths[0].path, /^\/assets\/gotoauth-[A-Za-z0-9_-]+\.wasm$/);
      assert.equal(wasmPaths[0].status, 200);
      assert.equal(wasmPaths[0].type, 'application/wasm');
      assert.deepEqual(requests.filter((q) => q.status !== 200), [], 'requests that failed');
      assert.ok(r.resources.includes(wasmPaths[0].path), `the page did not fetch ${wasmPaths[0].path}: ${r.resources}`);

      // The page's globals and its process polyfill.
      t.diagnostic(`${browser.version}; Puppeteer's globals ignored: ${r.globals.added.filter(puppeteers).join(', ') || 'none'}`);
      assert.deepEqual(r.globals.added.filter((n) => !puppeteers(n)), ['gotoauth'], 'globals added by load()');
      assert.deepEqual(r.globals.removed, [], 'globals removed by load()');
      assert.equal(r.globals.gotoauthIsTheAPI, true);
      assert.deepEqual(r.globals.runtimeNames, [], "the Go runtime's globals reached the page");
      assert.deepEqual(r.process, {
        sameProcess: true, sameEnv: true, envKeys: ['APP_MODE'], processKeys: ['env'], envAppMode: 'x',
      }, "the page's process polyfill changed");
      assert.equal(r.sameInstance, true);
      assert.equal(r.version, devPkg.version);

      // authorizeURL: the code flow with PKCE S256, checked by the browser's own SHA-256.
      const redirectUri = `${server.base}/callback`;
      const a = r.authorizeURL;
      assert.equal(a.origin, 'https://authentication.logmeininc.com');
      assert.equal(a.pathname, '/oauth/authorize');
      assert.equal(a.flow, 'code');
      assert.match(a.state, /^[A-Za-z0-9_-]{43}$/);
      assert.match(a.codeVerifier, /^[A-Za-z0-9_-]{64}$/);
      assert.equal(a.codeChallenge, a.s256OfVerifier, 'code_challenge is not S256 of the verifier');
      assert.deepEqual(a.params, {
        response_type: 'code',
        client_id: 'vite-client',
        redirect_uri: redirectUri,
        scope: 'identity:scim.me',
        state: a.state,
        code_challenge: a.s256OfVerifier,
        code_challenge_method: 'S256',
      });

      // parseRedirect: a code redirect, and a GoToConnect fragment (ms, type, username).
      assert.deepEqual(r.parseCode, { kind: 'code', state: 'the-state', code: 'the-code' });
      const { expiresAt, ...token } = r.parseGoToConnect.token;
      assert.deepEqual({ ...r.parseGoToConnect, token }, {
        kind: 'token',
        state: 'fragment-state',
        token: {
          accessToken: 'gotoconnect-token',
          tokenType: 'Bearer',
          expiresIn: 2592000,
          scope: [],
          principal: 'agent@example.com',
          legacy: 'gotoconnect',
        },
      });
      assert.ok(Math.abs(expiresAt - (r.parsedAt + 2592000 * 1000)) < 60_000, `expiresAt ${expiresAt}, parsed at ${r.parsedAt}`);

      // A client's authorize + handleRedirect round trip, the state single use.
      const trip = r.roundTrip;
      assert.equal(trip.config.clientId, 'vite-client');
      assert.equal(trip.config.redirectUri, redirectUri);
      assert.equal(trip.config.flow, 'code');
      assert.equal(trip.authorize.flow, 'code');
      assert.match(trip.authorize.state, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(trip.authorize.params.state, trip.authorize.state);
      assert.equal(trip.authorize.params.code_challenge_method, 'S256');
      assert.deepEqual(trip.handled, {
        kind: 'code',
        state: trip.authorize.state,
        code: 'round-trip-code',
        codeVerifier: trip.handled.codeVerifier,
        redirectUri,
      });
      assert.match(trip.handled.codeVerifier, /^[A-Za-z0-9_-]{64}$/);
      assert.equal(trip.authorize.params.code_challenge, trip.s256OfVerifier, "the verifier handed back is not the authorize request's");
      assert.equal(trip.addressBarUntouched, true, 'cleanAddressBar: false changed the address bar');
      assert.equal(trip.again.threw, true, 'a used state was accepted again');
      assert.equal(trip.again.isGoToAuthError, true);
      assert.equal(trip.again.code, 'state_mismatch');

      // Errors: GoToAuthError (an Error) with code invalid_argument.
      for (const [what, e] of Object.entries(r.errors)) {
        assert.equal(e.threw, true, `${what} did not throw`);
        assert.equal(e.isGoToAuthError, true, `${what}: not a GoToAuthError: ${JSON.stringify(e)}`);
        assert.equal(e.isError, true, what);
        assert.equal(e.name, 'GoToAuthError', what);
        assert.equal(e.code, 'invalid_argument', `${what}: ${e.message}`);
      }
    } finally {
      await browser.close();
    }
    assert.deepEqual(problems, [], `errors in ${name}`);
  });
}
