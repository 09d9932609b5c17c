// Static hosting as the README's "Static hosting" section gives it: the
// README's complete app, built with Vite from the packed tarball, served by
// Debian's nginx with the README's snippet (web/examples/hosting/nginx.conf,
// which the README embeds) inside a server block of the test's own: its own
// prefix, pid, temp and log paths in a scratch folder, a free loopback
// port, workers running as the current user, no system configuration but
// nginx's own mime.types (which Debian's stock nginx.conf includes). The
// snippet's relay address is pointed at a stand-in for the relay.
//
// The headers a host owes the module: Content-Type application/wasm, a
// compressed body for `Accept-Encoding: br, gzip` (gzip: Debian's nginx has
// no brotli module built in), Vary, and Cache-Control immutable for hashed
// assets but not for the page. Then the app loads from nginx in Chromium and
// Firefox, compressed module and all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, unlinkSync, existsSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BROWSERS, launch } from './browsers.mjs';
import { freePort } from './server.mjs';
import { makeExampleApp, viteBuild, MAKE_RUN } from './example-app.mjs';
import { gzip } from '../tools/compress.mjs';

const NGINX = process.env.NGINX || '/usr/sbin/nginx';
const SNIPPET = new URL('../examples/hosting/nginx.conf', import.meta.url);
const YEAR = 'public, max-age=31536000, immutable';

let example;
let built;
let dist;
let wasmPath; // /assets/gotoauth-HASH.wasm
let wasm; // its bytes
let relay; // the relay's stand-in: {base, seen, close}
let nginx; // {base, stop, log}

// A stand-in for the relay: records what reaches it and sets a cookie.
function startRelayStandIn() {
  const seen = [];
  const srv = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, origin: req.headers.origin, cookie: req.headers.cookie });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Set-Cookie': 'relay-probe=1; Path=/relay/; HttpOnly; SameSite=Strict' });
    res.end('{"ok":true}');
  });
  return new Promise((ok) => srv.listen(0, '127.0.0.1', () => ok({
    base: `http://127.0.0.1:${srv.address().port}`,
    seen,
    close: () => new Promise((done) => { srv.closeAllConnections(); srv.close(() => done()); }),
  })));
}

// nginx.conf for the test: the snippet inside a server block of its own.
function nginxConf({ prefix, port, root, snippet }) {
  const user = userInfo();
  // Workers run as the user that starts them; as root nginx would switch
  // them to nobody, who cannot read the scratch folder.
  const userLine = user.uid === 0 ? 'user root root;\n' : '';
  const temp = (name) => join(prefix, 'temp', name);
  return `${userLine}daemon off;
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path ${temp('body')};
    proxy_temp_path ${temp('proxy')};
    fastcgi_temp_path ${temp('fastcgi')};
    uwsgi_temp_path ${temp('uwsgi')};
    scgi_temp_path ${temp('scgi')};
    server {
        listen 127.0.0.1:${port};
        root ${root};
${snippet.replace(/^/gm, '        ')}
    }
}
`;
}

async function startNginx(root) {
  const prefix = mkdtempSync(join(tmpdir(), 'gotoauth-nginx-'));
  mkdirSync(join(prefix, 'temp'));
  const port = await freePort();
  const text = readFileSync(SNIPPET, 'utf8');
  assert.ok(text.includes(`proxy_pass ${MAKE_RUN};`), `the snippet no longer proxies to ${MAKE_RUN}`);
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(conf, nginxConf({ prefix, port, root, snippet: text.replaceAll(MAKE_RUN, relay.base) }));
  const check = spawnSync(NGINX, ['-t', '-p', prefix, '-c', conf, '-e', join(prefix, 'error.log')], { encoding: 'utf8' });
  assert.equal(check.status, 0, `nginx -t refused the configuration:\n${check.stderr}`);
  const child = spawn(NGINX, ['-p', prefix, '-c', conf, '-e', join(prefix, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const base = `http://127.0.0.1:${port}`;
  const log = () => `${stderr}${existsSync(join(prefix, 'error.log')) ? readFileSync(join(prefix, 'error.log'), 'utf8') : ''}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}:\n${log()}`);
    try {
      if ((await fetch(`${base}/`)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`nginx did not answer within 10 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base,
    log,
    stop: () => new Promise((done) => {
      const finish = () => { rmSync(prefix, { recursive: true, force: true }); done(); };
      if (child.exitCode !== null) return finish();
      child.once('exit', finish);
      child.kill('SIGTERM');
    }),
  };
}

// One GET as a browser sends it, the body as it came over the wire.
function get(base, path, headers = {}) {
  return new Promise((ok, fail) => {
    const req = request(`${base}${path}`, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

before(async () => {
  assert.ok(existsSync(NGINX), `no nginx at ${NGINX}: run make deps-nginx (Debian's nginx), or set NGINX`);
  example = makeExampleApp();
  built = viteBuild(example.app);
  assert.equal(built.status, 0, `vite build failed:\n${built.output}`);
  dist = join(example.app, 'dist');
  const name = readdirSync(join(dist, 'assets')).find((f) => /^gotoauth-[A-Za-z0-9_-]+\.wasm$/.test(f));
  assert.ok(name, 'no hashed gotoauth wasm in dist/assets');
  wasmPath = `/assets/${name}`;
  wasm = readFileSync(join(dist, 'assets', name));
  relay = await startRelayStandIn();
  nginx = await startNginx(dist);
});

after(async () => {
  await nginx?.stop();
  await relay?.close();
  example?.remove();
});

test("Debian's nginx: which compression modules it has", (t) => {
  const v = spawnSync(NGINX, ['-V'], { encoding: 'utf8' });
  const built = `${v.stdout}${v.stderr}`;
  t.diagnostic(built.split('\n')[0]);
  assert.match(built, /--with-http_gzip_static_module/, 'this nginx has no gzip_static');
  t.diagnostic(/brotli/.test(built) ? 'brotli built in' : 'no brotli built in: gzip is what it sends');
});

test('the module, compressed as it is sent: application/wasm, gzip, Vary, cached for good', async (t) => {
  const r = await get(nginx.base, wasmPath, { 'Accept-Encoding': 'br, gzip' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/wasm');
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.match(r.headers.vary ?? '', /Accept-Encoding/);
  assert.equal(r.headers['cache-control'], YEAR);
  assert.ok(gunzipSync(r.body).equals(wasm), 'the gzip body is not the module');
  t.diagnostic(`${wasm.length} bytes raw, ${r.body.length} over the wire (gzip as sent)`);
  assert.ok(r.body.length < wasm.length / 3, `${r.body.length} bytes over the wire for ${wasm.length}`);
});

test('the module to a client that accepts no encoding: whole, with the same type and caching', async () => {
  const r = await get(nginx.base, wasmPath);
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/wasm');
  assert.equal(r.headers['content-encoding'], undefined);
  assert.equal(r.headers['cache-control'], YEAR);
  assert.ok(r.body.equals(wasm));
});

test('the module precompressed beside it (gzip -k -9): gzip_static sends that file', async (t) => {
  const gz = gzip(wasm);
  const file = join(dist, `${wasmPath.slice(1)}.gz`);
  writeFileSync(file, gz);
  try {
    const r = await get(nginx.base, wasmPath, { 'Accept-Encoding': 'br, gzip' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/wasm');
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.match(r.headers.vary ?? '', /Accept-Encoding/);
    assert.equal(r.headers['cache-control'], YEAR);
    assert.ok(r.body.equals(gz), 'not the precompressed file');
    t.diagnostic(`${gz.length} bytes over the wire (gzip -9, precompressed)`);
  } finally {
    unlinkSync(file);
  }
});

test('the hashed script: JavaScript, gzip, cached for good', async () => {
  const js = readdirSync(join(dist, 'assets')).find((f) => f.endsWith('.js'));
  const r = await get(nginx.base, `/assets/${js}`, { 'Accept-Encoding': 'br, gzip' });
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^(application|text)\/javascript\b/);
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.equal(r.headers['cache-control'], YEAR);
});

test('the page: asked for again on every visit, never immutable', async () => {
  for (const path of ['/', '/index.html']) {
    const r = await get(nginx.base, path, { 'Accept-Encoding': 'br, gzip' });
    assert.equal(r.status, 200, path);
    assert.match(r.headers['content-type'], /^text\/html\b/, path);
    assert.equal(r.headers['cache-control'], 'no-cache', path);
  }
});

test("the relay: /relay/ reaches it with the page's Origin and cookie, and its cookie comes back", async () => {
  const seen = relay.seen.length;
  const r = await fetch(`${nginx.base}/relay/refresh`, {
    method: 'POST',
    headers: { Origin: nginx.base, Cookie: 'gotoauth=sealed', 'X-GoToAuth': '1' },
  });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('set-cookie') ?? '', /^relay-probe=1; Path=\/relay\/; HttpOnly; SameSite=Strict/);
  assert.deepEqual(relay.seen.slice(seen), [{ method: 'POST', url: '/relay/refresh', origin: nginx.base, cookie: 'gotoauth=sealed' }]);
});

for (const name of BROWSERS) {
  test(`in ${name}: the app loads from nginx, the module compressed`, async () => {
    const browser = await launch(name);
    const problems = [];
    try {
      const page = await browser.newPage();
      page.on('pageerror', (err) => problems.push(`page error: ${err?.stack || err}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
      });
      await page.goto(`${nginx.base}/`);
      // Nobody signed in, so the page says so once the module has started.
      await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'Not signed in.');
      const encoding = await page.raw.evaluate((p) => performance.getEntriesByType('resource')
        .filter((e) => new URL(e.name).pathname === p)
        .map((e) => ({ transfer: e.encodedBodySize, decoded: e.decodedBodySize })), wasmPath);
      assert.equal(encoding.length, 1, JSON.stringify(encoding));
      assert.equal(encoding[0].decoded, wasm.length);
      assert.ok(encoding[0].transfer < wasm.length / 3, `the module came ${encoding[0].transfer} bytes over the wire`);
      await page.close();
    } finally {
      await browser.close();
    }
    assert.deepEqual(problems, [], `errors in ${name}`);
  });
}
