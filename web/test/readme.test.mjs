// The README's copies are written from one source by web/tools/readme.mjs:
// the complete app and the hosting snippets from their files (which
// example.test.mjs and hosting.test.mjs run), and the tarball's name from
// web/package.json's version. A README edited by hand where it embeds, or
// left behind by a change to a source, fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { render, embedded } from '../tools/readme.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const { version } = JSON.parse(readFileSync(join(repo, 'web', 'package.json'), 'utf8'));

test('README.md is what web/tools/readme.mjs writes (run it after changing an embedded file)', () => {
  assert.equal(readme, render(readme), 'README.md is not current: run node web/tools/readme.mjs');
});

test('README.md embeds the complete app and the hosting snippets', () => {
  assert.deepEqual(embedded(readme), [
    'web/examples/minimal/index.html',
    'web/examples/minimal/src/main.ts',
    'web/examples/minimal/vite.config.js',
    'web/examples/hosting/nginx.conf',
    'web/examples/hosting/Caddyfile',
  ]);
});

test("the Install line names the tarball make pack writes, at package.json's version", () => {
  const install = readme.match(/^npm install (\S+)/m);
  assert.ok(install, 'no npm install line');
  assert.equal(install[1], `/path/to/gotoauth/web/dist-pack/gotoauth-${version}.tgz`);
  const makefile = readFileSync(join(repo, 'Makefile'), 'utf8');
  assert.match(makefile, /^PACK_DIR := web\/dist-pack$/m);
  assert.match(makefile, /\$\(PACK_DIR\)\/gotoauth-\$\(VERSION\)\.tgz/);
});

test('what the README tells a user of the package to make, it says is run in a clone of the repository', () => {
  // The README ships in the package. Every paragraph (or list item) that
  // names a make target outside the contributors' section says where it runs.
  const contributors = readme.indexOf('## Working on gotoauth (this repository)');
  assert.ok(contributors > 0);
  const user = readme.slice(0, contributors).replace(/^```[\s\S]*?^```$/gm, '');
  for (const para of user.split(/\n\s*\n/)) {
    if (!/`make \w+/.test(para)) continue;
    assert.match(para, /clone of (this|the gotoauth) repository/, `a paragraph names make without saying where:\n${para}`);
  }
});
