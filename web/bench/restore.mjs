// make bench, part 2: a signed-in page in relay mode, in Chromium and
// Firefox, side by side in one run (README, "Performance"):
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
//            from the page's script start (its first statement, before
//            the package is imported);
//   cold     the same with an empty cache (every file at a new path);
//   bytes    bytes transferred before the first token (resource timing);
//   signed-out  navigation start → load() resolved and a client made, on
//            a page with no sign-in (where the module loads as before).
// Prints a table and writes bench/restore-results.json.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

// The page: one for every variant; ?mode= says what it measures.
const PAGE = `<!doctype html><meta charset="utf-8"><title>bench</title><link rel="icon" href="data:,">
<script type="module">
const t0 = performance.now();
const mode = new URLSearchParams(location.search).get('mode');
const KEY = 'gotoauth.relay.gotoauth-demo';
const bytesBefore = (t) => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
  .filter((e) => e.startTime <= t).reduce((n, e) => n + (e.transferSize || 0), 0);
const wasmBefore = (t) => performance.getEntriesByType('resource').some((e) => e.name.endsWith('.wasm') && e.startTime <= t);
try {
  if (mode === 'floor') {
    const r = await fetch('/relay/refresh', { method: 'POST', credentials: 'same-origin', headers: { 'X-GoToAuth': '1' } });
    const j = await r.json();
    if (!r.ok || !(j.accessToken || j.access_token)) throw new Error('HTTP ' + r.status);
    const t1 = performance.now();
    window.__result = { nav: t1, script: t1 - t0, bytes: bytesBefore(t1), wasm: false };
  } else {
    let mark = null;
    if (mode === 'signedout') { mark = localStorage.getItem(KEY); localStorage.removeItem(KEY); }
    const { load } = await import('./gotoauth.js');
    const imported = performance.now();
    const g = await load();
    const loaded = performance.now();
    const c = g.client({
      clientId: 'gotoauth-demo', redirectUri: location.origin + location.pathname, scope: ['identity:scim.me'], flow: 'code',
      authorizeEndpoint: location.origin + '/goto/oauth/authorize', meEndpoint: location.origin + '/goto/identity/v1/Users/me', relay: '/relay/',
    });
    window.C = c;
    if (mode === 'signedout') {
      const t1 = performance.now();
      if (mark !== null) localStorage.setItem(KEY, mark);
      window.__result = { nav: t1, script: t1 - t0 };
    } else if (mode === 'token') {
      await c.session.token();
      const t1 = performance.now();
      window.__result = { nav: t1, script: t1 - t0, imported: imported - t0, loaded: loaded - t0, bytes: bytesBefore(t1), wasm: wasmBefore(t1) };
    }
  }
} catch (e) {
  window.__result = { error: String(e && e.message) };
}
document.title = 'ready';
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
async function serveStack(files, serve) {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = url.pathname.replace(/^\/c\d+\//, '/'); // /c<n>/: an empty cache's paths
    if (forward(req, res, path, serve)) return;
    if (path === '/page.html') {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(PAGE);
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
  return { base: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
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

async function measure(page, url) {
  await page.goto(url);
  const v = await page.waitForFunction(() => window.__result);
  if (v.error) throw new Error(`${url}: ${v.error}`);
  return v;
}

log(`building the stack before (${BEFORE})…`);
const beforeDir = buildBefore();
const stacks = {};
stacks.before = { serve: await startServer({ relay: true, tree: beforeDir }), files: pageFiles(join(beforeDir, 'web')) };
stacks.now = { serve: await startServer({ relay: true }), files: pageFiles(join(repo, 'web')) };
for (const s of Object.values(stacks)) s.app = await serveStack(s.files, s.serve);
const VARIANTS = ['before', 'now', 'floor'];
const baseOf = (v) => stacks[v === 'floor' ? 'now' : v].app.base;
const results = { date: new Date().toISOString(), runs: RUNS, before: BEFORE, browsers: {} };
let nonce = 0;
try {
  for (const name of BROWSERS.filter((b) => !process.env.BENCH_BROWSERS || process.env.BENCH_BROWSERS.split(',').includes(b))) {
    log(`${name}: ${RUNS} rounds…`);
    const browser = await launch(name);
    try {
      const pages = {};
      for (const v of ['before', 'now']) {
        pages[v] = await browser.newPage();
        await signIn(pages[v], baseOf(v));
      }
      pages.floor = pages.now;
      const runs = {};
      const add = (key, v, r) => { ((runs[key] ??= {})[v] ??= []).push(r); };
      for (let i = 0; i < RUNS; i++) {
        const order = VARIANTS.map((_, j) => VARIANTS[(i + j) % VARIANTS.length]);
        for (const v of order) {
          const mode = v === 'floor' ? 'floor' : 'token';
          add('reload', v, await measure(pages[v], `${baseOf(v)}/page.html?mode=${mode}`));
          add('cold', v, await measure(pages[v], `${baseOf(v)}/c${++nonce}/page.html?mode=${mode}`));
          if (v !== 'floor') add('signedout', v, await measure(pages[v], `${baseOf(v)}/page.html?mode=signedout`));
        }
      }
      const summary = {};
      for (const [key, byVariant] of Object.entries(runs)) {
        summary[key] = {};
        for (const [v, list] of Object.entries(byVariant)) {
          summary[key][v] = {
            nav: Math.round(median(list.map((r) => r.nav))),
            script: Math.round(median(list.map((r) => r.script))),
            bytes: list[0].bytes === undefined ? undefined : median(list.map((r) => r.bytes)),
            wasmBeforeToken: list.some((r) => r.wasm),
            imported: list[0].imported === undefined ? undefined : Math.round(median(list.map((r) => r.imported))),
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
      rows.push(`| ${name} | ${key} | ${v} | ${x.nav} ms | ${x.script} ms | ${kb(x.bytes)} | ${x.wasmBeforeToken ? 'yes' : 'no'} |`);
    }
  }
  for (const v of ['before', 'now']) rows.push(`| ${name} | signed-out load() | ${v} | ${r.signedout[v].nav} ms | ${r.signedout[v].script} ms | | |`);
  const now = r.reload.now;
  const floor = r.reload.floor;
  r.targets = {
    scriptWithinFloorPlus20: now.script <= floor.script + 20,
    navWithinFloorPlus60: now.nav <= floor.nav + 60,
    noModuleBeforeToken: !r.reload.now.wasmBeforeToken && !r.cold.now.wasmBeforeToken,
  };
}
console.log('| browser | page | variant | navigation → token | script start → token | bytes before the token | module before the token |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
for (const [name, r] of Object.entries(results.browsers)) {
  for (const [target, met] of Object.entries(r.targets)) console.log(`${name}: ${target}: ${met ? 'met' : 'MISSED'}`);
}
writeFileSync(new URL('restore-results.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
log('wrote web/bench/restore-results.json');
