// make bench, part 2: a signed-in page in relay mode, in Chromium and
// Firefox (the newer ESR; BENCH_BROWSERS=chromium,firefox,firefox140 adds
// ESR 140), side by side in one run (README, "Performance"):
//   before   the package as it was before the module went on demand (git
//            ref BENCH_BEFORE, default b475d45): its loader, module, relay
//            and emulator, built from that commit into a temp folder now;
//   now      this tree's package, relay and emulator;
//   floor    a page that only posts to the relay itself (this tree's).
// Each stack is served by a server of this script's own, on an origin of
// its own (the relay's cookie and the page's mark are per origin), with
// the package's files revalidated (ETag, Cache-Control: no-cache) and the
// wasm compressed, and /relay/ and /goto/ forwarded to the stack's
// serve.go. Measured, median of BENCH_RESTORE_RUNS rounds, the variants
// in turn:
//   reload   navigation start → the first session.token() resolved, on a
//            signed-in page whose files are in the browser's cache; also
//            from the page's script start (the first statement of its
//            module script, which imports the package as apps do) and from
//            its first script (a classic one before it: the package's
//            module graph counted);
//   cold     the same with an empty cache (every file at a new path);
//   bytes    bytes sent for what the page fetched before the first token
//            (the server's count, for the requests resource timing lists);
//   signed-out  navigation start → load() resolved and a client made, on
//            a page with no sign-in (where the module loads as before);
//   implicit, sign-in  navigation start → the token in the session, on
//            the page GoTo's consent redirects back to, in the implicit
//            flow (handleRedirect) and in the code flow through the relay
//            (handleRedirect, exchangeCode), neither signed in before.
// Prints a table and writes bench/restore-results.json.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants as zc } from 'node:zlib';
import { startServer, consent } from '../test/server.mjs';
import { forward } from '../test/appserver.mjs';
import { BROWSERS, launch } from '../test/browsers.mjs';

const RUNS = Number(process.env.BENCH_RESTORE_RUNS || 8);
const BEFORE = process.env.BENCH_BEFORE || 'b475d45';
const repo = fileURLToPath(new URL('../..', import.meta.url));
const log = (s) => process.stderr.write(`${s}\n`);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

// The pages. Each page's classic script notes the time it runs (`first`:
// the HTML parsed up to it, before any module is fetched); its module
// script then runs, as an app's does, and takes `t0` at its first
// statement. The floor's module script imports nothing; the package's
// imports gotoauth.js statically, as apps do, so its first statement runs
// once the package's module graph is in: the graph counts from navigation
// start and from the first script, not from the script's start (the
// issue's definition). ?mode= says what a package page measures.
const HEAD = `<!doctype html><meta charset="utf-8"><title>bench</title><link rel="icon" href="data:,">
<script>
window.__first = performance.now();
// A page without a sign-in (signedout), or one about to start one
// (authorize): the relay mark goes before the package is evaluated.
const KEY = 'gotoauth.relay.gotoauth-demo';
const mode = new URLSearchParams(location.search).get('mode');
if (mode === 'signedout' || mode === 'authorize') { window.__mark = localStorage.getItem(KEY); localStorage.removeItem(KEY); }
window.__done = (t1, more) => {
  // What the page fetched before t1: the navigation and the resources
  // started by then (the server counts their bytes).
  const fetched = [performance.getEntriesByType('navigation')[0].name.split('#')[0]].concat(performance.getEntriesByType('resource').filter((e) => e.startTime <= t1).map((e) => e.name));
  window.__result = { nav: t1, script: t1 - window.__t0, first: t1 - window.__first, fetched,
    wasm: fetched.some((u) => u.endsWith('.wasm')), ...more };
  document.title = 'ready';
};
window.__fail = (e) => { window.__result = { error: String(e && e.message) }; document.title = 'ready'; };
</script>`;

const FLOOR_PAGE = `${HEAD}
<script type="module">
window.__t0 = performance.now();
try {
  const r = await fetch('/relay/refresh', { method: 'POST', credentials: 'same-origin', headers: { 'X-GoToAuth': '1' } });
  const j = await r.json();
  if (!r.ok || !(j.accessToken || j.access_token)) throw new Error('HTTP ' + r.status);
  window.__done(performance.now());
} catch (e) { window.__fail(e); }
</script>`;

const PACKAGE_PAGE = `${HEAD}
<script type="module">
import { load } from './gotoauth.js';
window.__t0 = performance.now();
try {
  const mode = new URLSearchParams(location.search).get('mode');
  // A sign-in coming back (started by mode=authorize): its flow.
  const back = sessionStorage.getItem('bench.back');
  sessionStorage.removeItem('bench.back');
  const flow = new URLSearchParams(location.search).get('flow') || back || 'code';
  const g = await load();
  const loaded = performance.now() - window.__t0;
  const c = g.client({
    clientId: 'gotoauth-demo', redirectUri: location.origin + location.pathname, scope: ['identity:scim.me'], flow,
    authorizeEndpoint: location.origin + '/goto/oauth/authorize', meEndpoint: location.origin + '/goto/identity/v1/Users/me',
    ...(flow === 'code' ? { relay: '/relay/' } : {}),
  });
  window.C = c;
  if (back) {
    // navigation (GoTo's redirect back) → the token in the session.
    const checked = await c.handleRedirect();
    if (checked.kind === 'code') await c.exchangeCode(checked);
    await c.session.token();
    window.__done(performance.now());
  } else if (mode === 'authorize') {
    sessionStorage.setItem('bench.back', flow);
    window.__result = { url: c.authorize().url };
    document.title = 'ready';
  } else if (mode === 'signedout') {
    const t1 = performance.now();
    if (window.__mark != null) localStorage.setItem('gotoauth.relay.gotoauth-demo', window.__mark);
    window.__done(t1);
  } else if (mode === 'token') {
    await c.session.token();
    window.__done(performance.now(), { loaded });
  } else {
    document.title = 'ready'; // signIn's page: a client, nothing more
  }
} catch (e) { window.__fail(e); }
</script>`;

// The package's files of a tree: package.json's "files" that a page loads.
function pageFiles(webDir) {
  const files = JSON.parse(readFileSync(join(webDir, 'package.json'), 'utf8')).files;
  const out = new Map();
  for (const f of files) {
    const type = f.endsWith('.wasm') ? 'application/wasm' : (f.endsWith('.js') || f.endsWith('.mjs')) ? 'text/javascript' : null;
    if (!type || f === 'gotoauth-node.js') continue;
    const body = readFileSync(join(webDir, f));
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    const big = body.length > 1024; // compressed, as a host should (README, "Static hosting")
    out.set(`/${f}`, {
      type, body, etag,
      br: big ? brotliCompressSync(body, { params: { [zc.BROTLI_PARAM_QUALITY]: 9 } }) : null,
      gz: big ? gzipSync(body, { level: 9 }) : null,
    });
  }
  return out;
}

// serveStack serves a page and files in front of serve (startServer's result).
// It counts the bytes of each answer as sent (status line, headers and
// body, from the socket: a browser sends one request at a time on a
// connection), by the request's path and query, in `sent`, which measure()
// empties: resource timing's transferSize is not comparable across the
// two browsers.
async function serveStack(files, serve) {
  const sent = [];
  const server = createServer((req, res) => {
    const before = req.socket.bytesWritten;
    res.on('finish', () => sent.push({ url: req.url, bytes: req.socket.bytesWritten - before }));
    const url = new URL(req.url, 'http://x');
    const path = url.pathname.replace(/^\/c\d+\//, '/'); // /c<n>/: an empty cache's paths
    if (forward(req, res, path, serve)) return;
    if (path === '/page.html') {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(url.searchParams.get('mode') === 'floor' ? FLOOR_PAGE : PACKAGE_PAGE);
      return;
    }
    const f = files.get(path);
    if (!f) { res.statusCode = 404; res.end(); return; }
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', f.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    if (req.headers['if-none-match'] === f.etag) { res.statusCode = 304; res.end(); return; }
    res.setHeader('Content-Type', f.type);
    const accept = String(req.headers['accept-encoding'] || '');
    let body = f.body;
    if (f.br && /\bbr\b/.test(accept)) { res.setHeader('Content-Encoding', 'br'); body = f.br; }
    else if (f.gz && /\bgzip\b/.test(accept)) { res.setHeader('Content-Encoding', 'gzip'); body = f.gz; }
    res.setHeader('Content-Length', body.length);
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${server.address().port}`, sent, close: () => new Promise((r) => server.close(r)) };
}

// The tree before: its files at BEFORE, its module built now (the glue is
// this tree's: both come from the same Go's wasm_exec.js).
function buildBefore() {
  const dir = mkdtempSync(join(tmpdir(), 'gotoauth-before-'));
  execFileSync('sh', ['-c', `git archive ${BEFORE} | tar -x -C ${dir}`], { cwd: repo });
  const version = JSON.parse(readFileSync(join(dir, 'web/package.json'), 'utf8')).version;
  execFileSync('go', ['build', '-trimpath', `-ldflags=-s -w -X gotoauth/wasm/bridge.Version=${version}`, '-o', 'web/gotoauth.wasm', './wasm/cmd/gotoauth'],
    { cwd: dir, env: { ...process.env, GOOS: 'js', GOARCH: 'wasm' }, stdio: 'inherit' });
  writeFileSync(join(dir, 'web/gotoauth-glue.mjs'), readFileSync(join(repo, 'web/gotoauth-glue.mjs')));
  if (existsSync(join(dir, 'web/tools/bundle.mjs'))) { // a tree whose browser entry is built
    symlinkSync(join(repo, 'web/node_modules'), join(dir, 'web/node_modules'));
    execFileSync('node', ['tools/bundle.mjs', 'gotoauth.js'], { cwd: join(dir, 'web'), stdio: 'inherit' });
  }
  return dir;
}

async function signIn(page, base) {
  await page.goto(`${base}/page.html?mode=signin`);
  await page.waitForFunction(() => document.title === 'ready');
  const url = await page.evaluate(() => C.authorize().url);
  await page.goto(await consent(url)); // back at page.html, with no mode: a client, nothing more
  await page.waitForFunction(() => document.title === 'ready');
  await page.evaluate(async () => { await C.exchangeCode(await C.handleRedirect()); });
}

// measure loads url in page and gives the page's __result, with bytes:
// what app's server sent for what the page fetched before its token.
async function measure(page, url, app) {
  app.sent.length = 0;
  await page.goto(url);
  const v = await page.waitForFunction(() => window.__result);
  if (v.error) throw new Error(`${url}: ${v.error}`);
  if (v.fetched) {
    const sent = [...app.sent];
    v.bytes = 0;
    for (const href of v.fetched) {
      const u = new URL(href);
      const i = sent.findIndex((r) => r.url === u.pathname + u.search);
      if (i < 0) throw new Error(`${url}: the server saw no request for ${href}`);
      v.bytes += sent.splice(i, 1)[0].bytes;
    }
  }
  return v;
}

log(`building the stack before (${BEFORE})…`);
const beforeDir = buildBefore();
const stacks = {};
stacks.before = { serve: await startServer({ relay: true, tree: beforeDir }), files: pageFiles(join(beforeDir, 'web')) };
stacks.now = { serve: await startServer({ relay: true }), files: pageFiles(join(repo, 'web')) };
for (const s of Object.values(stacks)) s.app = await serveStack(s.files, s.serve);
const VARIANTS = ['before', 'now', 'floor'];
const appOf = (v) => stacks[v === 'floor' ? 'now' : v].app;
const results = { date: new Date().toISOString(), runs: RUNS, before: BEFORE, browsers: {} };
let nonce = 0;
try {
  for (const name of BROWSERS.filter((b) => (process.env.BENCH_BROWSERS || 'chromium,firefox').split(',').includes(b))) {
    log(`${name}: ${RUNS} rounds…`);
    const browser = await launch(name);
    try {
      const pages = {};
      for (const v of ['before', 'now']) {
        pages[v] = await browser.newPage();
        await signIn(pages[v], appOf(v).base);
      }
      pages.floor = pages.now;
      const runs = {};
      const add = (key, v, r) => { ((runs[key] ??= {})[v] ??= []).push(r); };
      for (let i = 0; i < RUNS; i++) {
        const order = VARIANTS.map((_, j) => VARIANTS[(i + j) % VARIANTS.length]);
        for (const v of order) {
          const mode = v === 'floor' ? 'floor' : 'token';
          const app = appOf(v);
          add('reload', v, await measure(pages[v], `${app.base}/page.html?mode=${mode}`, app));
          add('cold', v, await measure(pages[v], `${app.base}/c${++nonce}/page.html?mode=${mode}`, app));
          if (v !== 'floor') {
            add('signedout', v, await measure(pages[v], `${app.base}/page.html?mode=signedout`, app));
            for (const flow of ['implicit', 'code']) {
              const { url } = await measure(pages[v], `${app.base}/page.html?mode=authorize&flow=${flow}`, app);
              add(flow === 'code' ? 'signin' : 'implicit', v, await measure(pages[v], await consent(url), app));
            }
          }
        }
      }
      const summary = {};
      for (const [key, byVariant] of Object.entries(runs)) {
        summary[key] = {};
        for (const [v, list] of Object.entries(byVariant)) {
          summary[key][v] = {
            nav: Math.round(median(list.map((r) => r.nav))),
            script: Math.round(median(list.map((r) => r.script))),
            first: Math.round(median(list.map((r) => r.first))),
            bytes: median(list.map((r) => r.bytes)),
            wasmBeforeToken: list.some((r) => r.wasm),
            loaded: list[0].loaded === undefined ? undefined : Math.round(median(list.map((r) => r.loaded))),
          };
        }
      }
      results.browsers[name] = { version: browser.version, ...summary };
    } finally {
      await browser.close();
    }
  }
} finally {
  for (const s of Object.values(stacks)) {
    await s.app.close();
    await s.serve.stop();
  }
}

// The table, and the targets (checked, never asserted).
const rows = [];
const kb = (n) => (n === undefined ? '' : `${(n / 1024).toFixed(1)} KB`);
for (const [name, r] of Object.entries(results.browsers)) {
  for (const key of ['reload', 'cold']) {
    for (const v of VARIANTS) {
      const x = r[key][v];
      rows.push(`| ${name} | ${key} | ${v} | ${x.nav} ms | ${x.script} ms | ${x.first} ms | ${kb(x.bytes)} | ${x.wasmBeforeToken ? 'yes' : 'no'} |`);
    }
  }
  for (const [key, label] of [['signedout', 'signed-out load()'], ['implicit', 'implicit sign-in'], ['signin', 'code sign-in']]) {
    for (const v of ['before', 'now']) rows.push(`| ${name} | ${label} | ${v} | ${r[key][v].nav} ms | ${r[key][v].script} ms | ${r[key][v].first} ms | | |`);
  }
  const now = r.reload.now;
  const floor = r.reload.floor;
  r.targets = {
    scriptWithinFloorPlus20: now.script <= floor.script + 20,
    navWithinFloorPlus60: now.nav <= floor.nav + 60,
    noModuleBeforeToken: !r.reload.now.wasmBeforeToken && !r.cold.now.wasmBeforeToken,
  };
}
console.log('| browser | page | variant | navigation → token | script start → token | first script → token | bytes before the token | module before the token |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
for (const [name, r] of Object.entries(results.browsers)) {
  for (const [target, met] of Object.entries(r.targets)) console.log(`${name}: ${target}: ${met ? 'met' : 'MISSED'}`);
}
writeFileSync(new URL('restore-results.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
log('wrote web/bench/restore-results.json');
