// Static hosting as the README's "Static hosting" section gives it: the
// README's complete app, built with Vite from the packed tarball, served by
// Debian's nginx and Debian's Caddy with the README's snippets
// (web/examples/hosting/nginx.conf and Caddyfile, which the README embeds),
// each inside a server block of the test's own: a free loopback port, its
// pid, temp, log and data paths in a scratch folder, running as the current
// user, no system configuration (nginx reads only its own mime.types, which
// Debian's stock nginx.conf includes; Caddy's admin endpoint is off). The
// snippets' relay address (make run's) is pointed at a stand-in for the
// relay.
//
// The headers a host owes the module: Content-Type application/wasm, a
// compressed body for `Accept-Encoding: br, gzip`, Vary, and Cache-Control
// immutable for hashed assets but not for the page; the smallest body when
// the build's precompressed files are there (Debian's nginx has no brotli
// module built in, so it sends gzip; Caddy sends the .br). Then the app
// loads from each in Chromium and Firefox, compressed module and all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, unlinkSync, existsSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { BROWSERS, launch } from './browsers.mjs';
import { freePort } from './server.mjs';
import { makeExampleApp, viteBuild, MAKE_RUN } from './example-app.mjs';
import { brotli, gzip } from '../tools/compress.mjs';

const NGINX = process.env.NGINX || '/usr/sbin/nginx';
const CADDY = process.env.CADDY || '/usr/bin/caddy';
const YEAR = 'public, max-age=31536000, immutable';
const RELAY_ADDR = MAKE_RUN.replace(/^http:\/\//, ''); // 127.0.0.1:8080

let example;
let dist;
let wasmPath; // /assets/gotoauth-HASH.wasm
let wasm; // its bytes
let relay; // the relay's stand-in: {base, seen, close}
const servers = {}; // name: {base, stop, log}

// A snippet as the README shows it, with the relay's address made the
// stand-in's.
function snippet(file) {
  const text = readFileSync(new URL(`../examples/hosting/${file}`, import.meta.url), 'utf8');
  assert.ok(text.includes(RELAY_ADDR), `${file} no longer sends /relay/ to ${RELAY_ADDR}`);
  return text.replaceAll(RELAY_ADDR, new URL(relay.base).host);
}

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

// Starts a server process and waits, with a deadline, until it answers /.
async function startProcess(name, bin, args, { prefix, base, env, log }) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const logs = () => `${output}${log && existsSync(log) ? readFileSync(log, 'utf8') : ''}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${logs()}`);
    try {
      if ((await fetch(`${base}/`)).ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer within 15 s:\n${logs()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base,
    logs,
    stop: () => new Promise((done) => {
      const finish = () => { rmSync(prefix, { recursive: true, force: true }); done(); };
      if (child.exitCode !== null) return finish();
      child.once('exit', finish);
      child.kill('SIGTERM');
    }),
  };
}

// nginx with the snippet inside a server block of the test's own.
async function startNginx(root) {
  assert.ok(existsSync(NGINX), `no nginx at ${NGINX}: run make deps-nginx (Debian's nginx), or set NGINX`);
  const prefix = mkdtempSync(join(tmpdir(), 'gotoauth-nginx-'));
  mkdirSync(join(prefix, 'temp'));
  const port = await freePort();
  const temp = (name) => join(prefix, 'temp', name);
  // Workers run as the user that starts them; as root nginx would switch
  // them to nobody, who cannot read the scratch folder.
  const userLine = userInfo().uid === 0 ? 'user root root;\n' : '';
  const conf = join(prefix, 'nginx.conf');
  const log = join(prefix, 'error.log');
  writeFileSync(conf, `${userLine}daemon off;
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${log} warn;
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
${snippet('nginx.conf').replace(/^(?=.)/gm, '        ')}
    }
}
`);
  const args = ['-p', prefix, '-c', conf, '-e', log];
  const check = spawnSync(NGINX, ['-t', ...args], { encoding: 'utf8' });
  assert.equal(check.status, 0, `nginx -t refused the configuration:\n${check.stderr}`);
  return startProcess('nginx', NGINX, args, { prefix, base: `http://127.0.0.1:${port}`, log });
}

// Caddy with the snippet inside a site block of the test's own.
async function startCaddy(root) {
  assert.ok(existsSync(CADDY), `no caddy at ${CADDY}: run make deps-caddy (Debian's caddy), or set CADDY`);
  const prefix = mkdtempSync(join(tmpdir(), 'gotoauth-caddy-'));
  const port = await freePort();
  const conf = join(prefix, 'Caddyfile');
  writeFileSync(conf, `{
    admin off
    auto_https off
    storage file_system ${join(prefix, 'storage')}
}
http://127.0.0.1:${port} {
    root * ${root}
${snippet('Caddyfile').replace(/^(?=.)/gm, '    ')}
}
`);
  // Caddy keeps state under $XDG_DATA_HOME and $XDG_CONFIG_HOME (or $HOME).
  const env = { ...process.env, HOME: prefix, XDG_DATA_HOME: join(prefix, 'data'), XDG_CONFIG_HOME: join(prefix, 'config') };
  const check = spawnSync(CADDY, ['validate', '--config', conf, '--adapter', 'caddyfile'], { encoding: 'utf8', env });
  assert.equal(check.status, 0, `caddy validate refused the configuration:\n${check.stderr}`);
  return startProcess('caddy', CADDY, ['run', '--config', conf, '--adapter', 'caddyfile'], { prefix, base: `http://127.0.0.1:${port}`, env });
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

const decode = (r) => ({ gzip: gunzipSync, br: brotliDecompressSync }[r.headers['content-encoding']]?.(r.body) ?? r.body);

before(async () => {
  example = makeExampleApp();
  const built = viteBuild(example.app);
  assert.equal(built.status, 0, `vite build failed:\n${built.output}`);
  dist = join(example.app, 'dist');
  const name = readdirSync(join(dist, 'assets')).find((f) => /^gotoauth-[A-Za-z0-9_-]+\.wasm$/.test(f));
  assert.ok(name, 'no hashed gotoauth wasm in dist/assets');
  wasmPath = `/assets/${name}`;
  wasm = readFileSync(join(dist, 'assets', name));
  relay = await startRelayStandIn();
  servers.nginx = await startNginx(dist);
  servers.caddy = await startCaddy(dist);
});

after(async () => {
  for (const s of Object.values(servers)) await s.stop();
  await relay?.close();
  example?.remove();
});

test("Debian's nginx has gzip_static, and no brotli built in", (t) => {
  const v = spawnSync(NGINX, ['-V'], { encoding: 'utf8' });
  const flags = `${v.stdout}${v.stderr}`;
  t.diagnostic(flags.split('\n')[0]);
  assert.match(flags, /--with-http_gzip_static_module/, 'this nginx has no gzip_static');
  t.diagnostic(/brotli/.test(flags) ? 'brotli built in' : 'no brotli built in: gzip is what it sends');
});

for (const name of ['nginx', 'caddy']) {
  test(`${name}: the module, compressed as it is sent: application/wasm, gzip, Vary, cached for good`, async (t) => {
    const r = await get(servers[name].base, wasmPath, { 'Accept-Encoding': 'br, gzip' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/wasm');
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.match(r.headers.vary ?? '', /Accept-Encoding/);
    assert.equal(r.headers['cache-control'], YEAR);
    assert.ok(decode(r).equals(wasm), 'the body is not the module');
    t.diagnostic(`${wasm.length} bytes raw, ${r.body.length} over the wire (gzip as sent)`);
    assert.ok(r.body.length < wasm.length / 3, `${r.body.length} bytes over the wire for ${wasm.length}`);
  });

  test(`${name}: the module to a client that accepts no encoding: whole, with the same type and caching`, async () => {
    const r = await get(servers[name].base, wasmPath);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/wasm');
    assert.equal(r.headers['content-encoding'], undefined);
    assert.equal(r.headers['cache-control'], YEAR);
    assert.ok(r.body.equals(wasm));
  });

  test(`${name}: the module precompressed beside it (.gz and .br): the smallest file it can send`, async (t) => {
    const files = { gzip: gzip(wasm), br: brotli(wasm) };
    const paths = { gzip: join(dist, `${wasmPath.slice(1)}.gz`), br: join(dist, `${wasmPath.slice(1)}.br`) };
    for (const k of Object.keys(files)) writeFileSync(paths[k], files[k]);
    try {
      const r = await get(servers[name].base, wasmPath, { 'Accept-Encoding': 'br, gzip' });
      // Debian's nginx has no brotli: the .gz; Caddy: the .br.
      const want = name === 'nginx' ? 'gzip' : 'br';
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'application/wasm');
      assert.equal(r.headers['content-encoding'], want);
      assert.match(r.headers.vary ?? '', /Accept-Encoding/);
      assert.equal(r.headers['cache-control'], YEAR);
      assert.ok(r.body.equals(files[want]), `not the precompressed .${want === 'gzip' ? 'gz' : 'br'}`);
      t.diagnostic(`${r.body.length} bytes over the wire (${want}, precompressed)`);
      const plain = await get(servers[name].base, wasmPath, { 'Accept-Encoding': 'gzip' });
      assert.equal(plain.headers['content-encoding'], 'gzip');
      assert.ok(plain.body.equals(files.gzip), 'gzip only: not the precompressed .gz');
    } finally {
      for (const p of Object.values(paths)) unlinkSync(p);
    }
  });

  test(`${name}: the hashed script: JavaScript, gzip, cached for good`, async () => {
    const js = readdirSync(join(dist, 'assets')).find((f) => f.endsWith('.js'));
    const r = await get(servers[name].base, `/assets/${js}`, { 'Accept-Encoding': 'br, gzip' });
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^(application|text)\/javascript\b/);
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.equal(r.headers['cache-control'], YEAR);
    assert.ok(decode(r).equals(readFileSync(join(dist, 'assets', js))));
  });

  test(`${name}: the page: asked for again on every visit, never immutable`, async () => {
    for (const path of ['/', '/index.html']) {
      const r = await get(servers[name].base, path, { 'Accept-Encoding': 'br, gzip' });
      assert.equal(r.status, 200, path);
      assert.match(r.headers['content-type'], /^text\/html\b/, path);
      assert.equal(r.headers['cache-control'], 'no-cache', path);
    }
  });

  test(`${name}: /relay/ reaches the relay with the page's Origin and cookie, and its cookie comes back`, async () => {
    const seen = relay.seen.length;
    const r = await fetch(`${servers[name].base}/relay/refresh`, {
      method: 'POST',
      headers: { Origin: servers[name].base, Cookie: 'gotoauth=sealed', 'X-GoToAuth': '1' },
    });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('set-cookie') ?? '', /^relay-probe=1; Path=\/relay\/; HttpOnly; SameSite=Strict/);
    assert.deepEqual(relay.seen.slice(seen), [{ method: 'POST', url: '/relay/refresh', origin: servers[name].base, cookie: 'gotoauth=sealed' }]);
  });
}

for (const browserName of BROWSERS) {
  test(`in ${browserName}: the app loads from nginx and from Caddy, the module compressed`, async () => {
    const browser = await launch(browserName);
    const problems = [];
    try {
      for (const name of ['nginx', 'caddy']) {
        const page = await browser.newPage();
        page.on('pageerror', (err) => problems.push(`${name}: page error: ${err?.stack || err}`));
        page.on('console', (msg) => {
          if (msg.type() === 'error') problems.push(`${name}: console error: ${msg.text()}`);
        });
        await page.goto(`${servers[name].base}/`);
        // Nobody signed in, so the page says so once the module has started.
        await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'Not signed in.');
        const entries = await page.raw.evaluate((p) => performance.getEntriesByType('resource')
          .filter((e) => new URL(e.name).pathname === p)
          .map((e) => ({ transfer: e.encodedBodySize, decoded: e.decodedBodySize })), wasmPath);
        assert.equal(entries.length, 1, `${name}: ${JSON.stringify(entries)}`);
        assert.equal(entries[0].decoded, wasm.length, name);
        assert.ok(entries[0].transfer < wasm.length / 3, `${name}: the module came ${entries[0].transfer} bytes over the wire`);
        await page.close();
      }
    } finally {
      await browser.close();
    }
    assert.deepEqual(problems, [], `errors in ${browserName}`);
  });
}
