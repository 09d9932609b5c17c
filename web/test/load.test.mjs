// load() options, each in a fresh Node process (the module loads once per
// process): the default, wasmURL, wasm as bytes and as a compiled Module,
// and a failed load that a later call can retry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const loader = new URL('../gotoauth-node.js', import.meta.url).href;
const wasm = new URL('../gotoauth.wasm', import.meta.url).href;

function run(body) {
  const script = `import { load, GoToAuthError } from ${JSON.stringify(loader)};
import { readFile } from 'node:fs/promises';
const wasm = new URL(${JSON.stringify(wasm)});
${body}`;
  // A load that never settles fails here, at the deadline, not by hanging.
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.error ? `${r.error.message}\n${r.stderr}` : r.stderr);
  return r.stdout.trim();
}

const check = `const a = g.authorizeURL({ clientId: 'c' }); if (!a.url.includes('code_challenge=')) throw new Error('broken');
if (globalThis.gotoauth !== g || (await load()) !== g) throw new Error('not one instance');
console.log(g.version);`;

test('load() with no options finds gotoauth.wasm next to the loader', () => {
  assert.match(run(`const g = await load(); ${check}`), /^\d+\.\d+\.\d+$/);
});

test('load({wasmURL})', () => {
  assert.match(run(`const g = await load({ wasmURL: wasm }); ${check}`), /^\d/);
});

test('load({wasm: bytes}) and load({wasm: Module})', () => {
  assert.match(run(`const g = await load({ wasm: await readFile(wasm) }); ${check}`), /^\d/);
  assert.match(run(`const g = await load({ wasm: await WebAssembly.compile(await readFile(wasm)) }); ${check}`), /^\d/);
});

test('every failed load rejects with load_failed saying what was tried; bad options with invalid_argument', () => {
  const out = run(`const { createServer } = await import('node:http');
const server = createServer((req, res) => {
  if (req.url === '/garbage.wasm') { res.setHeader('Content-Type', 'application/wasm'); return res.end('not wasm'); }
  res.statusCode = 404; res.end('no');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = 'http://127.0.0.1:' + server.address().port;
const cases = [
  [{ wasmURL: new URL('./no-such.wasm', wasm) }, /no-such\\.wasm.*no such file/],
  [{ wasmURL: base + '/missing.wasm' }, /missing\\.wasm.*HTTP 404/],
  [{ wasmURL: base + '/garbage.wasm' }, /garbage\\.wasm.*not a WebAssembly module/],
  [{ wasmURL: 'http://127.0.0.1:1/gotoauth.wasm' }, /127\\.0\\.0\\.1:1\\/gotoauth\\.wasm.*fetch failed/],
  [{ wasm: new Uint8Array([0, 1, 2]) }, /bytes given as wasm.*not a WebAssembly module/],
  [{ wasm: new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])) }, /WebAssembly\\.Module given as wasm/],
];
for (const [options, message] of cases) {
  try { await load(options); throw new Error('loaded ' + JSON.stringify(options)); } catch (e) {
    if (!(e instanceof GoToAuthError) || e.code !== 'load_failed') throw e;
    if (!message.test(e.message)) throw new Error('message: ' + e.message);
    if ((e.message.match(/: /g) || []).length > 2) throw new Error('stacked: ' + e.message);
  }
}
for (const [options, message] of [[{ wasmUrl: wasm }, /"wasmUrl".*"wasmURL"/], [{ url: wasm }, /unknown option "url"/], [42, /object/]]) {
  try { await load(options); throw new Error('accepted'); } catch (e) {
    if (!(e instanceof GoToAuthError) || e.code !== 'invalid_argument' || !message.test(e.message)) throw e;
  }
}
server.close();
const g = await load(); ${check}
try { await load({ wasmUrl: wasm }); throw new Error('accepted once loaded'); } catch (e) { if (e.code !== 'invalid_argument') throw e; }`);
  assert.match(out, /^\d/);
});

test('a failed load rejects, and a later load can succeed', () => {
  const out = run(`let failed = false;
try { await load({ wasmURL: new URL('./no-such.wasm', wasm) }); } catch { failed = true; }
if (!failed) throw new Error('a missing module loaded');
try { await load({ wasm: new Uint8Array([0, 1, 2]) }); throw new Error('garbage loaded'); } catch (e) { if (e.message === 'garbage loaded') throw e; }
try { await load(42); throw new Error('bad options accepted'); } catch (e) { if (!(e instanceof GoToAuthError) || e.code !== 'invalid_argument') throw e; }
const g = await load(); ${check}`);
  assert.match(out, /^\d/);
});

test('the browser entry in Node refuses a file: URL, naming the Node entry, which then loads', () => {
  // The browser entry is one file of its own (web/tools/bundle.mjs), with
  // its own error class and instance: a program uses one entry.
  const browserEntry = new URL('../gotoauth.js', import.meta.url).href;
  const out = run(`const browser = await import(${JSON.stringify(browserEntry)});
try { await browser.load(); throw new Error('loaded'); } catch (e) {
  if (!(e instanceof browser.GoToAuthError) || e.code !== 'load_failed' || !/gotoauth-node\\.js/.test(e.message)) throw e;
}
const g = await load(); ${check}`);
  assert.match(out, /^\d/);
});

test('a load that stalls rejects within timeoutMs with load_failed naming the step, and a later load tries again', () => {
  // A module that never starts: valid wasm with the one memory and run()
  // that Go's glue calls, which returns without ever saying it is ready.
  const neverStarts = [0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 2, 127, 127, 0, 3, 2, 1, 0, 5, 3, 1, 0, 1,
    7, 13, 2, 3, 109, 101, 109, 2, 0, 3, 114, 117, 110, 0, 0, 10, 4, 1, 2, 0, 11];
  const out = run(`const { createServer } = await import('node:http');
const stalled = new Set();
const server = createServer((req, res) => {
  // /silent.wasm never answers; /half.wasm sends its headers and a few bytes.
  stalled.add(res);
  if (req.url === '/half.wasm') { res.writeHead(200, { 'Content-Type': 'application/wasm' }); res.write(new Uint8Array([0, 97, 115, 109])); }
  if (req.url === '/half-octets.wasm') { res.writeHead(200, { 'Content-Type': 'application/octet-stream' }); res.write(new Uint8Array([0, 97, 115, 109])); }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = 'http://127.0.0.1:' + server.address().port;
const cases = [
  [{ wasmURL: base + '/silent.wasm', timeoutMs: 300 }, /silent\\.wasm: the server did not answer within 300 ms \\(timeoutMs\\)$/],
  [{ wasmURL: base + '/half.wasm', timeoutMs: 300 }, /half\\.wasm: the download and compile did not finish within 300 ms \\(timeoutMs\\)$/],
  [{ wasmURL: base + '/half-octets.wasm', timeoutMs: 300 }, /half-octets\\.wasm: the download did not finish within 300 ms \\(timeoutMs\\)$/],
  [{ wasm: new Uint8Array(${JSON.stringify(neverStarts)}), timeoutMs: 300 }, /bytes given as wasm: the module did not start \\(it never said it was ready\\) within 300 ms \\(timeoutMs\\)$/],
];
for (const [options, message] of cases) {
  try { await load(options); throw new Error('loaded ' + JSON.stringify(options)); } catch (e) {
    if (!(e instanceof GoToAuthError) || e.code !== 'load_failed') throw e;
    if (!message.test(e.message)) throw new Error('message: ' + e.message);
  }
}
for (const timeoutMs of [0, 99, 600001, 1.5, '300', NaN]) {
  try { await load({ timeoutMs }); throw new Error('accepted ' + timeoutMs); } catch (e) {
    if (!(e instanceof GoToAuthError) || e.code !== 'invalid_argument' || !/timeoutMs/.test(e.message)) throw e;
  }
}
for (const res of stalled) res.destroy();
server.close();
const g = await load({ timeoutMs: 60000 }); ${check}`);
  assert.match(out, /^\d/);
});
