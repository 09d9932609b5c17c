// Starts serve.go with the GoTo emulator on a free loopback port, for the
// Node and browser tests; with {relay: true}, also with the token relay, as
// `make run` does.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Builds and starts serve.go with -emulator; `relay: true` adds -relay,
 * whose client is then the emulator's demo client (no GOTO_ variable
 * reaches serve.go), and each of allowOrigins an -allow-origin; tree is the
 * repository's folder (the benchmark starts an earlier one too). Resolves
 * to {base, stop}.
 */
export async function startServer({ relay = false, allowOrigins = [], tree = repo } = {}) {
  const bin = join(mkdtempSync(join(tmpdir(), 'gotoauth-serve-')), 'serve');
  execFileSync('go', ['build', '-o', bin, 'serve.go'], { cwd: tree, stdio: 'inherit' });
  const port = await freePort();
  const flags = ['-addr', `127.0.0.1:${port}`, '-dir', 'web', '-emulator'];
  // Stop at once on SIGTERM; an earlier tree's serve.go had no -drain.
  if (tree === repo) flags.push('-drain', '0');
  if (relay) flags.push('-relay');
  for (const origin of allowOrigins) flags.push('-allow-origin', origin);
  // The relay takes its client from GOTO_ variables when any is set: none
  // reaches serve.go, so that it is the emulator's.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^GOTO(AUTH)?_/.test(k)));
  const child = spawn(bin, flags, { cwd: tree, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${base}/serve-config.json`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (child.exitCode !== null) throw new Error(`serve.go exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}

/**
 * Plays the user at the emulator's consent page: opens the authorize URL,
 * presses Allow or Deny, and returns the redirect's Location.
 */
export async function consent(authorizeURL, decision = 'allow') {
  const page = await fetch(authorizeURL, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`consent page: HTTP ${page.status}: ${html.slice(0, 200)}`);
  const id = html.match(/name="request_id" value="([^"]+)"/)?.[1];
  if (!id) throw new Error('consent page has no request_id');
  const action = new URL(html.match(/<form method="post" action="([^"]+)"/)[1].replaceAll('&amp;', '&'), authorizeURL);
  const r = await fetch(action.href, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request_id: id, decision }),
  });
  const location = r.headers.get('location');
  if (r.status !== 303 || !location) throw new Error(`decision: HTTP ${r.status}`);
  return location;
}
