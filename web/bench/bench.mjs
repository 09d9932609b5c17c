// make bench: sizes, start-up in Node and Chromium, and calls per second,
// for gotoauth next to its floors, all in one run on this machine. Prints a
// table and writes bench/results.json. Targets are checked, never asserted:
// a miss is reported with its size.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { gzip, brotli } from '../tools/compress.mjs';
import { startServer } from '../test/server.mjs';

const here = (p) => new URL(p, import.meta.url);
const NODE_RUNS = Number(process.env.BENCH_NODE_RUNS || 21);
const BROWSER_RUNS = Number(process.env.BENCH_BROWSER_RUNS || 11);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const log = (s) => process.stderr.write(`${s}\n`);

// 1. Sizes.
function sizes(file) {
  const bytes = readFileSync(here(`../${file}`));
  return { raw: bytes.length, gzip: gzip(bytes).length, brotli: brotli(bytes).length };
}
log('sizes…');
const size = { gotoauth: sizes('gotoauth.wasm'), floor: sizes('floor.wasm') };

// 2. Start-up in fresh Node processes, alternating the two modules.
log(`Node start-up, ${NODE_RUNS} processes each…`);
const nodeRuns = { gotoauth: [], floor: [] };
for (let i = 0; i < NODE_RUNS; i++) {
  for (const m of ['gotoauth', 'floor']) {
    const r = spawnSync(process.execPath, [here('startup-node.mjs').pathname, m], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`startup-node ${m}: ${r.stderr}`);
    nodeRuns[m].push(Number(r.stdout.trim()));
  }
}
const nodeStartup = { gotoauth: median(nodeRuns.gotoauth), floor: median(nodeRuns.floor) };

// 3. Start-up in headless Chromium: cold loads (a new context each, so an
// empty cache) of a page served by serve.go with its precompressed files.
log(`Chromium start-up, ${BROWSER_RUNS} cold loads each…`);
const server = await startServer();
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const browserRuns = { gotoauth: [], floor: [] };
let encoding = '';
try {
  for (let i = 0; i < BROWSER_RUNS; i++) {
    for (const m of ['gotoauth', 'floor']) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('response', (r) => {
        if (r.url().endsWith(`${m === 'floor' ? 'floor' : 'gotoauth'}.wasm`)) encoding = r.headers()['content-encoding'] || 'identity';
      });
      await page.goto(`${server.base}/bench/startup.html?module=${m}`);
      const t = await page.waitForFunction(() => window.__startup, null, { timeout: 30_000 });
      browserRuns[m].push(await t.jsonValue());
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
const browserStartup = { gotoauth: median(browserRuns.gotoauth), floor: median(browserRuns.floor) };

// 4. Calls per second, every subject in one process, interleaved.
log('calls per second…');
const callsRun = spawnSync(process.execPath, [here('calls.mjs').pathname], { encoding: 'utf8' });
if (callsRun.status !== 0) throw new Error(`calls: ${callsRun.stderr}`);
const calls = JSON.parse(callsRun.stdout);

// Targets (issue "Small and fast"): benchmark targets, not tests.
const ratio = (a, b) => a / b;
const targets = [
  { name: 'brotli size ≤ 1.35 × floor', value: ratio(size.gotoauth.brotli, size.floor.brotli), limit: 1.35, lowerIsBetter: true },
  { name: 'Node start-up ≤ 1.25 × floor', value: ratio(nodeStartup.gotoauth, nodeStartup.floor), limit: 1.25, lowerIsBetter: true },
  { name: 'Chromium start-up ≤ 1.25 × floor', value: ratio(browserStartup.gotoauth, browserStartup.floor), limit: 1.25, lowerIsBetter: true },
  { name: 'authorizeURL ≥ 1.5 × oauth4webapi', value: ratio(calls['gotoauth.authorizeURL'], calls['oauth4webapi.authorizeURL']), limit: 1.5 },
  { name: 'parseRedirect (code) ≥ 0.7 × boundary floor', value: ratio(calls['gotoauth.parseRedirectCode'], calls['floor.noop']), limit: 0.7 },
  { name: 'parseRedirect (legacy fragment) ≥ 0.7 × boundary floor', value: ratio(calls['gotoauth.parseRedirectLegacy'], calls['floor.noop']), limit: 0.7 },
];
for (const t of targets) {
  t.met = t.lowerIsBetter ? t.value <= t.limit : t.value >= t.limit;
  // By how much: the factor the value must still move by.
  t.missBy = t.met ? 0 : (t.lowerIsBetter ? t.value / t.limit - 1 : t.limit / t.value - 1);
}

const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
const ms = (n) => `${n.toFixed(1)} ms`;
const per = (n) => `${Math.round(n).toLocaleString('en-US')}/s`;
const x = (n) => `${n.toFixed(2)}×`;
const rows = [
  ['measure', 'gotoauth', 'floor / reference', 'ratio'],
  ['wasm raw', kb(size.gotoauth.raw), kb(size.floor.raw), x(size.gotoauth.raw / size.floor.raw)],
  ['wasm gzip -9', kb(size.gotoauth.gzip), kb(size.floor.gzip), x(size.gotoauth.gzip / size.floor.gzip)],
  ['wasm brotli -q 11', kb(size.gotoauth.brotli), kb(size.floor.brotli), x(size.gotoauth.brotli / size.floor.brotli)],
  [`Node start-up (median of ${NODE_RUNS})`, ms(nodeStartup.gotoauth), ms(nodeStartup.floor), x(nodeStartup.gotoauth / nodeStartup.floor)],
  [`Chromium start-up (median of ${BROWSER_RUNS}, ${encoding})`, ms(browserStartup.gotoauth), ms(browserStartup.floor), x(browserStartup.gotoauth / browserStartup.floor)],
  ['authorizeURL + PKCE vs oauth4webapi', per(calls['gotoauth.authorizeURL']), per(calls['oauth4webapi.authorizeURL']), x(calls['gotoauth.authorizeURL'] / calls['oauth4webapi.authorizeURL'])],
  ['authorizeURL + PKCE vs boundary floor', per(calls['gotoauth.authorizeURL']), per(calls['floor.noop']), x(calls['gotoauth.authorizeURL'] / calls['floor.noop'])],
  ['parseRedirect code vs oauth4webapi', per(calls['gotoauth.parseRedirectCode']), per(calls['oauth4webapi.parseRedirectCode']), x(calls['gotoauth.parseRedirectCode'] / calls['oauth4webapi.parseRedirectCode'])],
  ['parseRedirect code vs boundary floor', per(calls['gotoauth.parseRedirectCode']), per(calls['floor.noop']), x(calls['gotoauth.parseRedirectCode'] / calls['floor.noop'])],
  ['parseRedirect legacy vs oauth4webapi', per(calls['gotoauth.parseRedirectLegacy']), per(calls['oauth4webapi.parseRedirectLegacy']), x(calls['gotoauth.parseRedirectLegacy'] / calls['oauth4webapi.parseRedirectLegacy'])],
  ['parseRedirect legacy vs boundary floor', per(calls['gotoauth.parseRedirectLegacy']), per(calls['floor.noop']), x(calls['gotoauth.parseRedirectLegacy'] / calls['floor.noop'])],
];
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(line(rows[0]));
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const r of rows.slice(1)) console.log(line(r));
console.log('');
for (const t of targets) {
  console.log(`${t.met ? 'met   ' : 'MISSED'} ${t.name}: ${x(t.value)}${t.met ? '' : ` (misses by ${(t.missBy * 100).toFixed(0)}%)`}`);
}

const results = {
  date: new Date().toISOString(),
  node: process.version,
  machine: { cpus: (await import('node:os')).cpus().length, model: (await import('node:os')).cpus()[0]?.model },
  size, nodeStartup, nodeRuns, browserStartup, browserRuns, browserEncoding: encoding, calls, targets,
};
writeFileSync(here('results.json'), JSON.stringify(results, null, 2) + '\n');
log('wrote web/bench/results.json');
