// The npm package: `make pack` (run once, in before) writes the tarball;
// its files are exactly what runs plus the licences and README, its
// package.json is an installable ES module package, and an app that
// installs it from the tarball imports it by name from Node with no Go on
// PATH and type-checks against it with tsc --strict under both bundler and
// node16 resolution.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, statSync, readdirSync, accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, delimiter, dirname, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const web = join(repo, 'web');
const devPkg = JSON.parse(readFileSync(join(web, 'package.json'), 'utf8'));
const tsc = join(web, 'node_modules', 'typescript', 'bin', 'tsc');

// The modules the two entries import, the types and the module.
const MODULES = ['gotoauth.js', 'gotoauth-node.js', 'gotoauth-load.js', 'gotoauth-runtime.js', 'gotoauth-api.js', 'gotoauth-args.js',
  'gotoauth-channel.js', 'gotoauth-contract.js', 'gotoauth-session.js', 'gotoauth-errors.js', 'gotoauth-popup.js', 'gotoauth-glue.mjs'];
const RUNS = [...MODULES, 'gotoauth.d.ts', 'gotoauth.wasm'];
const DOCS = ['README.md', 'LICENSE', 'THIRD_PARTY_LICENSES'];

let tarball;
let unpacked; // the tarball, extracted: unpacked/package/...
let app; // a scratch app with the tarball installed

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

before(() => {
  const out = sh('make', ['--no-print-directory', 'pack'], { cwd: repo });
  tarball = out.trimEnd().split('\n').at(-1);
  unpacked = mkdtempSync(join(tmpdir(), 'gotoauth-pack-'));
  sh('tar', ['-xzf', tarball, '-C', unpacked]);
  app = mkdtempSync(join(tmpdir(), 'gotoauth-app-'));
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }, null, 2)}\n`);
  // A local tarball with no dependencies: npm needs no registry for it.
  sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app });
});

after(() => {
  for (const dir of [unpacked, app]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test('make pack prints the absolute path of the tarball, in an ignored folder of the repository, last', () => {
  assert.ok(isAbsolute(tarball), tarball);
  assert.equal(dirname(tarball), join(web, 'dist-pack'));
  assert.match(tarball, new RegExp(`/gotoauth-${devPkg.version.replace(/\./g, '\\.')}\\.tgz$`));
  assert.ok(statSync(tarball).size > 100_000);
  if (statSync(join(repo, '.git'), { throwIfNoEntry: false })) {
    const ignored = spawnSync('git', ['check-ignore', '-q', tarball], { cwd: repo });
    assert.equal(ignored.status, 0, 'web/dist-pack is not git-ignored');
  }
});

test('nothing in the tarball is executable', () => {
  const listing = sh('tar', ['-tvzf', tarball]).trim().split('\n');
  for (const line of listing) assert.match(line, /^-rw-r--r-- /, line);
});

test("the tarball holds exactly what runs, the README and the licences", () => {
  const files = readdirSync(join(unpacked, 'package'), { recursive: true }).sort();
  assert.deepEqual(files, [...RUNS, ...DOCS, 'package.json'].sort());
  // What runs is what the entries import, and nothing else.
  const reached = new Set();
  const visit = (file) => {
    if (reached.has(file)) return;
    reached.add(file);
    const text = readFileSync(join(unpacked, 'package', file), 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"](\.\/[^'"]+)['"]/gm)) visit(m[1].slice(2));
  };
  visit('gotoauth.js');
  visit('gotoauth-node.js');
  assert.deepEqual([...reached].sort(), [...MODULES].sort());
  const same = (name) => assert.equal(readFileSync(join(unpacked, 'package', name), 'utf8'), readFileSync(join(repo, name), 'utf8'), name);
  same('LICENSE');
  same('README.md');
  const licence = readFileSync(join(unpacked, 'package', 'LICENSE'), 'utf8');
  assert.match(licence, /^MIT License\n\nCopyright \(c\) the gotoauth authors\n/);
  const third = readFileSync(join(unpacked, 'package', 'THIRD_PARTY_LICENSES'), 'utf8');
  assert.match(third, /Copyright \d{4} The Go Authors/);
  assert.match(third, /github\.com\/hack-pad\/safejs@v[\d.]+\n\n\s+Apache License/);
});

test("the Go glue in the tarball is generated from the Go on this machine's wasm_exec.js", () => {
  const goroot = sh('go', ['env', 'GOROOT']).trim();
  const version = sh('go', ['env', 'GOVERSION']).trim();
  const generated = sh(process.execPath, [join(web, 'tools', 'glue.mjs'), join(goroot, 'lib', 'wasm', 'wasm_exec.js'), version]);
  assert.equal(readFileSync(join(unpacked, 'package', 'gotoauth-glue.mjs'), 'utf8'), generated);
  assert.ok(generated.includes(readFileSync(join(goroot, 'lib', 'wasm', 'wasm_exec.js'), 'utf8').replace(/^[\s\S]*?"use strict";\s*/, '').trimEnd()),
    "wasm_exec.js's code is not in the glue unchanged");
});

test("package.json: an ES module package named gotoauth, with exports, types, files, no dependencies", () => {
  const pkg = JSON.parse(readFileSync(join(unpacked, 'package', 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'gotoauth');
  assert.equal(pkg.version, devPkg.version);
  assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.license, 'MIT');
  assert.equal(pkg.sideEffects, false);
  assert.equal(pkg.private, undefined);
  assert.deepEqual(pkg.exports['.'], { types: './gotoauth.d.ts', node: './gotoauth-node.js', default: './gotoauth.js' });
  assert.deepEqual(Object.keys(pkg.exports['.']), ['types', 'node', 'default'], 'condition order');
  assert.equal(pkg.types, './gotoauth.d.ts');
  assert.deepEqual([...pkg.files].sort(), [...RUNS, ...DOCS].sort());
  for (const key of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies', 'bundledDependencies']) {
    assert.equal(pkg[key], undefined, key);
  }
  assert.equal(typeof pkg.scripts.test, 'string');
  assert.ok(pkg.devDependencies.typescript, 'the devDependencies are kept');
  for (const target of Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)))) {
    assert.ok(statSync(join(unpacked, 'package', target)).isFile(), target);
  }
});

// PATH without any directory that holds a `go` (or lies in GOROOT).
function pathWithoutGo() {
  const goroot = sh('go', ['env', 'GOROOT']).trim();
  const dirs = (process.env.PATH || '').split(delimiter).filter((d) => {
    if (!d || d === goroot || d.startsWith(goroot + '/')) return false;
    try {
      accessSync(join(d, 'go'), constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  return dirs.join(delimiter);
}

test('the installed package imports by name in Node with no Go on PATH, and leaves no global but gotoauth', () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^GO/.test(k)));
  env.PATH = pathWithoutGo();
  env.GOTOAUTH_PROBE = 'kept';
  const which = spawnSync('sh', ['-c', 'command -v go'], { env, encoding: 'utf8' });
  assert.notEqual(which.status, 0, `go is still on PATH: ${which.stdout}`);
  writeFileSync(join(app, 'main.js'), `import assert from 'node:assert/strict';
const keys = () => [...Object.getOwnPropertyNames(globalThis), ...Object.getOwnPropertySymbols(globalThis).map(String)];
const values = new Map(Reflect.ownKeys(globalThis).map((k) => [k, globalThis[k]]));
const before = new Set(keys());
const realProcess = process;
const resolved = import.meta.resolve('gotoauth');
assert.match(resolved, /\\/node_modules\\/gotoauth\\/gotoauth-node\\.js$/);
const { load, GoToAuthError, default: loadDefault } = await import('gotoauth');
assert.equal(loadDefault, load);
const g = await load();
assert.deepEqual(keys().filter((k) => !before.has(k)), ['gotoauth']);
for (const [k, v] of values) assert.equal(globalThis[k], v, String(k));
for (const name of ['fs', 'path', 'Go', '__gotoauthBoot']) assert.equal(name in globalThis, false, name);
assert.equal(process, realProcess);
assert.equal(process.env.GOTOAUTH_PROBE, 'kept');
assert.equal(await load(), g);
assert.equal(globalThis.gotoauth, g);
const a = g.authorizeURL({ clientId: 'c', redirectUri: 'https://app.example/' });
assert.match(a.url, /code_challenge=/);
try { g.parseRedirect(42); assert.fail('no error'); } catch (e) { assert.ok(e instanceof GoToAuthError); assert.equal(e.code, 'invalid_argument'); }
const wasm = new URL(import.meta.resolve('gotoauth/gotoauth.wasm'));
assert.equal(wasm.protocol, 'file:');
console.log(g.version);
`);
  const r = spawnSync(process.execPath, ['main.js'], { cwd: app, env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), devPkg.version, "the module's version is not package.json's");
});

test('an app that imports gotoauth by name type-checks with --strict under bundler and node16 resolution', () => {
  writeFileSync(join(app, 'app.ts'), `import { load, GoToAuthError, type GoToAuth, type Token, type CheckedRedirect } from 'gotoauth';
import loadDefault from 'gotoauth';

export async function main(): Promise<string> {
  const g: GoToAuth = await load({ wasmURL: new URL('https://cdn.example/gotoauth.wasm') });
  const same: Promise<GoToAuth> = loadDefault();
  const a = g.authorizeURL({ clientId: 'c', scope: ['identity:scim.me'] });
  const r = g.parseRedirect(a.url);
  const t: Token | undefined = r.kind === 'token' ? r.token : undefined;
  const client = g.client({ clientId: 'c', redirectUri: 'https://app.example/' });
  const checked: CheckedRedirect = await client.handleRedirect();
  if (checked.kind === 'code') await client.exchangeCode(checked);
  const viaGlobal: GoToAuth | undefined = globalThis.gotoauth;
  try {
    g.migrateURL('https://api.getgo.com/oauth/v2/token');
  } catch (err) {
    if (err instanceof GoToAuthError && err.code === 'oauth_error') return err.error ?? '';
  }
  // @ts-expect-error: clientId must be a string
  g.authorizeURL({ clientId: 1 });
  // @ts-expect-error: wasm_exec.js is no longer loaded separately
  await load({ wasmExecURL: './wasm_exec.js' });
  void same; void viaGlobal;
  return t?.accessToken ?? g.version;
}
`);
  const base = { strict: true, noEmit: true, target: 'es2022', lib: ['es2022', 'dom'], types: [], skipLibCheck: false };
  for (const [name, options] of [
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
  ]) {
    const config = join(app, `tsconfig.${name}.json`);
    writeFileSync(config, JSON.stringify({ compilerOptions: { ...base, ...options }, files: ['app.ts'] }, null, 2));
    const r = spawnSync(process.execPath, [tsc, '-p', config, '--traceResolution'], { encoding: 'utf8', cwd: app, maxBuffer: 64 << 20 });
    const errors = r.stdout.split('\n').filter((l) => /error TS/.test(l)).join('\n');
    assert.equal(r.status, 0, `tsc (${name}) failed:\n${errors || r.stdout.slice(-4000)}${r.stderr}`);
    assert.match(r.stdout, /Module name 'gotoauth' was successfully resolved to '[^']*\/node_modules\/gotoauth\/gotoauth\.d\.ts'/, `${name}: not resolved to the package's types`);
  }
});

// The README is the first thing a user copies from: every js/ts block in it
// must compile as it stands, under --strict, against the installed package's
// types. Each block is its own module; the only names it may use without
// defining them are the few app functions declared here.
const README_APP_FUNCTIONS = `declare function showUser(name: string): void;
declare function showSignIn(): void;
declare function showError(message: string): void;
`;

test("every js and ts block of the packaged README compiles with tsc --strict against the package's types", () => {
  const readme = readFileSync(join(unpacked, 'package', 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```(js|ts|javascript|typescript)\n([\s\S]*?)^```$/gm)].map((m) => m[2]);
  assert.ok(blocks.length >= 3, `only ${blocks.length} code blocks found in README.md`);
  const files = ['readme-app.d.ts'];
  writeFileSync(join(app, 'readme-app.d.ts'), README_APP_FUNCTIONS);
  blocks.forEach((code, i) => {
    const name = `readme-${i + 1}.ts`;
    // A block without import or export would be a script sharing one scope
    // with the others; a module stands on its own.
    writeFileSync(join(app, name), /^\s*(import|export)\b/m.test(code) ? code : `${code}\nexport {};\n`);
    files.push(name);
  });
  const config = join(app, 'tsconfig.readme.json');
  writeFileSync(config, JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom', 'dom.iterable'], types: [], skipLibCheck: false },
    files,
  }, null, 2));
  const r = spawnSync(process.execPath, [tsc, '-p', config], { encoding: 'utf8', cwd: app, maxBuffer: 64 << 20 });
  // Errors name readme-N.ts: N is the block's position in README.md.
  assert.equal(r.status, 0, `README blocks do not compile:\n${r.stdout}${r.stderr}`);
});

test('the tarball holds gotoauth.wasm and every other file without an executable bit', () => {
  const listing = sh('tar', ['-tvzf', tarball]);
  for (const line of listing.trim().split('\n')) {
    assert.match(line, /^-rw-r--r-- /, line);
  }
});
