// The browser entry (gotoauth.js) in a realm with a browser's globals and
// none of Node's (test/realm.mjs, in a fresh process): it imports nothing
// from Node, touches no Node global when imported or loaded, finds
// gotoauth.wasm next to itself with new URL(..., import.meta.url), leaves
// no global but gotoauth, and its calls out (fetch, setTimeout, crypto,
// sessionStorage, location, history), all of which refuse a foreign
// receiver there as browsers' do, work. The package's own Vite build and
// real browsers are checked elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const BASE = 'https://app.example/assets/';
// The browser entry is one module (web/tools/bundle.mjs): a page fetches
// nothing else before its first token. Then what the loader imports when
// the module starts (the Go runtime and its glue), which a page whose
// first token needs no Go does not fetch first.
const IMPORTED = ['gotoauth.js'];
const ON_START = ['gotoauth-runtime.js', 'gotoauth-glue.mjs'];
const BROWSER_MODULES = [...IMPORTED, ...ON_START];

test('the browser entry loads and runs in a realm without Node', () => {
  const script = fileURLToPath(new URL('./realm.mjs', import.meta.url));
  const r = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const f = JSON.parse(r.stdout.trim().split('\n').at(-1));
  assert.deepEqual(f.modulesAtImport, IMPORTED.map((file) => `${BASE}${file}`));
  assert.deepEqual(f.modules, BROWSER_MODULES.map((file) => `${BASE}${file}`));
  assert.deepEqual(f.touchedAtImport, [], 'Node globals read when imported');
  assert.deepEqual(f.touchedAtLoad, [], 'Node globals read when loading and running');
  assert.deepEqual(f.addedAtImport, [], 'globals written when imported');
  assert.deepEqual(f.added, ['gotoauth'], 'globals written by load()');
  assert.equal(f.same, true, 'a second load gives another instance');
  assert.equal(f.version, pkg.version);
  assert.equal(f.challenge, true);
  assert.deepEqual(f.fetched, [
    `${BASE}gotoauth.wasm`,
    'https://authentication.logmeininc.com/oauth/token',
    'https://api.getgo.com/identity/v1/Users/me',
  ]);
  assert.equal(f.stored, 1, 'the pending sign-in is not in the realm\'s sessionStorage');
  assert.equal(f.addressBar, 'https://app.example/?keep=1');
  assert.equal(f.checkedKind, 'code');
  assert.equal(f.token, true);
  assert.equal(f.me, 'someone@example.com');
  assert.equal(f.mismatch, 'state_mismatch');
  assert.equal(f.shimCalls, true, 'calls on the runtime global with it as the receiver');
});

test('the browser entry and the modules it imports name nothing from Node', () => {
  for (const file of BROWSER_MODULES) {
    const text = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
    assert.doesNotMatch(text, /\bnode:|\brequire\s*\(/, file);
    for (const m of text.matchAll(/\bimport\s*\(([^)]*)\)/g)) {
      assert.match(m[1], /^(['"])\.\/gotoauth-[\w-]+\.m?js\1$/, `${file} imports ${m[1]} on demand`);
    }
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gm)) {
      assert.match(m[1], /^\.\/gotoauth-[\w-]+\.m?js$/, `${file} imports ${m[1]}`);
    }
  }
});
