// make bench: sizes, start-up in Node and Chromium, and calls per second,
// for gotoauth next to its two floors, all in one run on this machine:
//   floor        syscall/js, one no-op export, a wait (wasm/cmd/floor);
//   safejs floor the same with every JS call made through safejs, which
//                links fmt, reflect, os (wasm/cmd/safejsfloor). No module
//                that follows the project's safejs rule can go below it,
//                so the size and start-up targets are measured against it.
// Prints a table and writes bench/results.json. Targets are checked, never
// asserted: a miss is reported with its size.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { chromium } from 'playwright-core';
import { gzip, brotli } from '../tools/compress.mjs';
import { startServer } from '../test/server.mjs';

const here = (p) => new URL(p, import.meta.url);
const NODE_RUNS = Number(process.env.BENCH_NODE_RUNS || 21);
const BROWSER_RUNS = Number(process.env.BENCH_BROWSER_RUNS || 11);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const MODULES = ['gotoauth', 'floor', 'safejsfloor'];
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const log = (s) => process.stderr.write(`${s}\n`);
const date = new Date().toISOString(); // the run's start
const perModule = (f) => Object.fromEntries(MODULES.map((m) => [m, f(m)]));
// Round i's order: the modules rotated by i, so that none always goes first.
const order = (i) => MODULES.map((_, j) => MODULES[(i + j) % MODULES.length]);

// 1. Sizes.
function sizes(m) {
  const bytes = readFileSync(here(`../${m}.wasm`));
  return { raw: bytes.length, gzip: gzip(bytes).length, brotli: brotli(bytes).length };
}
log('sizes…');
const size = perModule(sizes);

// 2. Start-up in fresh Node processes, alternating the modules.
log(`Node start-up, ${NODE_RUNS} processes each…`);
const nodeRuns = perModule(() => []);
for (let i = 0; i < NODE_RUNS; i++) {
  for (const m of order(i)) {
    const r = spawnSync(process.execPath, [here('startup-node.mjs').pathname, m], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`startup-node ${m}: ${r.stderr}`);
    nodeRuns[m].push(Number(r.stdout.trim()));
  }
}
const nodeStartup = perModule((m) => median(nodeRuns[m]));

// 3. Start-up in headless Chromium: cold loads (a new context each, so an
// empty cache) of a page served by serve.go with its precompressed files,
// alternating the modules.
log(`Chromium start-up, ${BROWSER_RUNS} cold loads each…`);
const server = await startServer();
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const chromiumVersion = browser.version();
const browserRuns = perModule(() => []);
const encoding = perModule(() => '');
try {
  for (let i = 0; i < BROWSER_RUNS; i++) {
    for (const m of order(i)) {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('response', (r) => {
        if (new URL(r.url()).pathname === `/${m}.wasm`) encoding[m] = r.headers()['content-encoding'] || 'identity';
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
const browserStartup = perModule((m) => median(browserRuns[m]));
const encodings = [...new Set(Object.values(encoding))].join('/');

// 4. Calls per second, every subject in one process, interleaved.
log('calls per second…');
const callsRun = spawnSync(process.execPath, [here('calls.mjs').pathname], { encoding: 'utf8' });
if (callsRun.status !== 0) throw new Error(`calls: ${callsRun.stderr}`);
const calls = JSON.parse(callsRun.stdout);

// Formats.
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
const ms = (n) => `${n.toFixed(1)} ms`;
const per = (n) => `${Math.round(n).toLocaleString('en-US')}/s`;
const x = (n) => `${n.toFixed(2)}×`;

// Targets (issue "Small and fast"): benchmark targets, not tests. Size and
// start-up against the safejs floor; call rates against oauth4webapi and
// the boundary floor (the bare floor's no-op export).
const target = (name, value, reference, limit, fmt, lowerIsBetter = false) => ({ name, value, reference, ratio: value / reference, limit, lowerIsBetter, fmt });
const targets = [
  target('brotli size ≤ 1.12 × safejs floor', size.gotoauth.brotli, size.safejsfloor.brotli, 1.12, kb, true),
  target('Node start-up ≤ 1.12 × safejs floor', nodeStartup.gotoauth, nodeStartup.safejsfloor, 1.12, ms, true),
  target('Chromium start-up ≤ 1.12 × safejs floor', browserStartup.gotoauth, browserStartup.safejsfloor, 1.12, ms, true),
  target('authorizeURL + PKCE ≥ 1.5 × oauth4webapi', calls['gotoauth.authorizeURL'], calls['oauth4webapi.authorizeURL'], 1.5, per),
  target('parseRedirect (code) ≥ 0.7 × boundary floor', calls['gotoauth.parseRedirectCode'], calls['floor.noop'], 0.7, per),
  target('parseRedirect (GoToConnect fragment) ≥ 0.7 × boundary floor', calls['gotoauth.parseRedirectLegacy'], calls['floor.noop'], 0.7, per),
];
for (const t of targets) {
  t.met = t.lowerIsBetter ? t.ratio <= t.limit : t.ratio >= t.limit;
  // By how much: the factor the value must still move by.
  t.missBy = t.met ? 0 : (t.lowerIsBetter ? t.ratio / t.limit - 1 : t.limit / t.ratio - 1);
}

// The table: gotoauth, then the bare floor (or the reference a row names)
// and its ratio, then the safejs floor and its ratio.
const NA = '—';
const vsFloors = (label, g, f, s, fmt) => [label, fmt(g), fmt(f), x(g / f), fmt(s), x(g / s)];
const vsRef = (label, g, r, fmt) => [label, fmt(g), fmt(r), x(g / r), NA, NA];
const rows = [
  ['measure', 'gotoauth', 'floor / reference', 'ratio', 'safejs floor', 'ratio'],
  vsFloors('wasm raw', size.gotoauth.raw, size.floor.raw, size.safejsfloor.raw, kb),
  vsFloors('wasm gzip -9', size.gotoauth.gzip, size.floor.gzip, size.safejsfloor.gzip, kb),
  vsFloors('wasm brotli -q 11', size.gotoauth.brotli, size.floor.brotli, size.safejsfloor.brotli, kb),
  vsFloors(`Node start-up (median of ${NODE_RUNS})`, nodeStartup.gotoauth, nodeStartup.floor, nodeStartup.safejsfloor, ms),
  vsFloors(`Chromium start-up (median of ${BROWSER_RUNS}, ${encodings})`, browserStartup.gotoauth, browserStartup.floor, browserStartup.safejsfloor, ms),
  vsRef('authorizeURL + PKCE vs oauth4webapi', calls['gotoauth.authorizeURL'], calls['oauth4webapi.authorizeURL'], per),
  vsFloors('authorizeURL + PKCE vs noop export', calls['gotoauth.authorizeURL'], calls['floor.noop'], calls['safejsfloor.noop'], per),
  vsRef('parseRedirect code vs oauth4webapi', calls['gotoauth.parseRedirectCode'], calls['oauth4webapi.parseRedirectCode'], per),
  vsFloors('parseRedirect code vs noop export', calls['gotoauth.parseRedirectCode'], calls['floor.noop'], calls['safejsfloor.noop'], per),
  vsRef('parseRedirect legacy vs oauth4webapi', calls['gotoauth.parseRedirectLegacy'], calls['oauth4webapi.parseRedirectLegacy'], per),
  vsFloors('parseRedirect legacy vs noop export', calls['gotoauth.parseRedirectLegacy'], calls['floor.noop'], calls['safejsfloor.noop'], per),
  ['noop export (safejs floor vs floor)', NA, per(calls['floor.noop']), NA, per(calls['safejsfloor.noop']), x(calls['safejsfloor.noop'] / calls['floor.noop'])],
];
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(`gotoauth bench, ${date}, Node ${process.version}, Chromium ${chromiumVersion}`);
console.log(line(rows[0]));
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const r of rows.slice(1)) console.log(line(r));
console.log('');
for (const t of targets) {
  const numbers = `${t.fmt(t.value)} vs ${t.fmt(t.reference)} = ${x(t.ratio)}, limit ${x(t.limit)}`;
  console.log(`${t.met ? 'met   ' : 'MISSED'} ${t.name}: ${numbers}${t.met ? '' : ` (misses by ${(t.missBy * 100).toFixed(0)}%)`}`);
}

const results = {
  date,
  node: process.version,
  chromium: chromiumVersion,
  machine: { cpus: cpus().length, model: cpus()[0]?.model },
  modules: {
    gotoauth: 'web/gotoauth.wasm (wasm/cmd/gotoauth)',
    floor: 'web/floor.wasm (wasm/cmd/floor: syscall/js, one no-op export)',
    safejsfloor: 'web/safejsfloor.wasm (wasm/cmd/safejsfloor: the same through safejs)',
  },
  size,
  ratios: {
    vsFloor: {
      raw: size.gotoauth.raw / size.floor.raw,
      gzip: size.gotoauth.gzip / size.floor.gzip,
      brotli: size.gotoauth.brotli / size.floor.brotli,
      nodeStartup: nodeStartup.gotoauth / nodeStartup.floor,
      browserStartup: browserStartup.gotoauth / browserStartup.floor,
    },
    vsSafejsFloor: {
      raw: size.gotoauth.raw / size.safejsfloor.raw,
      gzip: size.gotoauth.gzip / size.safejsfloor.gzip,
      brotli: size.gotoauth.brotli / size.safejsfloor.brotli,
      nodeStartup: nodeStartup.gotoauth / nodeStartup.safejsfloor,
      browserStartup: browserStartup.gotoauth / browserStartup.safejsfloor,
    },
  },
  nodeStartup, nodeRuns, browserStartup, browserRuns, browserEncoding: encoding, calls,
  targets: targets.map(({ fmt, ...t }) => t),
};
writeFileSync(here('results.json'), JSON.stringify(results, null, 2) + '\n');
log('wrote web/bench/results.json');
