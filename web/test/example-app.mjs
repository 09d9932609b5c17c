// The README's complete app (web/examples/minimal) as a user makes it: the
// tarball that `make pack` writes installed beside the example's files in a
// scratch folder, type-checked as a fresh Vite + TypeScript project does,
// and built with the Vite pinned in web/package.json (run from
// web/node_modules, so nothing is fetched at test time).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const web = join(repo, 'web');
export const EXAMPLE = join(web, 'examples', 'minimal');
const vite = join(web, 'node_modules', 'vite', 'bin', 'vite.js');
const tsc = join(web, 'node_modules', 'typescript', 'bin', 'tsc');

// Where the example expects `make run`'s serve.go; a test puts its own there.
export const MAKE_RUN = 'http://127.0.0.1:8080';

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

// create-vite's vanilla-ts tsconfig.json (Vite 7), less `types: ["vite/client"]`
// (vite is not installed in the app) and with skipLibCheck off, so that
// gotoauth's own .d.ts is checked too.
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    useDefineForClassFields: true,
    module: 'ESNext',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    types: [],
    skipLibCheck: false,
    moduleResolution: 'bundler',
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
    moduleDetection: 'force',
    noEmit: true,
    strict: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    erasableSyntaxOnly: true,
    noFallthroughCasesInSwitch: true,
    noUncheckedSideEffectImports: true,
  },
  include: ['src'],
};

/**
 * Packs (make pack), copies the example into a scratch folder and installs
 * the tarball there, offline. serveGo, when given, replaces make run's
 * address (MAKE_RUN) in the example's files, as a user on another port
 * would. Resolves to {app, remove()}.
 */
export function makeExampleApp({ serveGo } = {}) {
  const packed = sh('make', ['--no-print-directory', 'pack'], { cwd: repo }).trimEnd().split('\n').at(-1);
  const scratch = mkdtempSync(join(tmpdir(), 'gotoauth-example-'));
  // A copy of our own: another test's `make pack` empties web/dist-pack.
  const tarball = join(scratch, basename(packed));
  copyFileSync(packed, tarball);
  const app = join(scratch, 'app');
  cpSync(EXAMPLE, app, { recursive: true });
  if (serveGo) {
    for (const f of ['src/main.ts', 'vite.config.js']) {
      const text = readFileSync(join(app, f), 'utf8');
      assert.ok(text.includes(MAKE_RUN), `${f} no longer names ${MAKE_RUN}`);
      writeFileSync(join(app, f), text.replaceAll(MAKE_RUN, serveGo));
    }
  }
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'my-app', private: true, type: 'module' }, null, 2)}\n`);
  writeFileSync(join(app, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  // The tarball has no dependencies, so npm needs no registry: --offline,
  // and a registry that does not answer, make sure of it.
  sh('npm', ['install', '--offline', '--registry=http://127.0.0.1:9/', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app });
  return { app, remove: () => rmSync(scratch, { recursive: true, force: true }) };
}

/** tsc -p the app's tsconfig.json: {status, output}. */
export function typecheck(app) {
  const r = spawnSync(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], { cwd: app, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** vite build in the app, into app/dist: {status, output}. */
export function viteBuild(app) {
  const r = spawnSync(process.execPath, [vite, 'build', app], {
    cwd: app,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}
