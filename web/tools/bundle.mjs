// Writes the package's browser entry, gotoauth.js: gotoauth-browser.js and
// every module it imports as one ES module, so that a page served the
// package's files as they are fetches and revalidates one file before its
// first token rather than a graph of them (README, "Performance"). The
// sources stay one concern a file; this file is a build output, never
// edited. gotoauth-runtime.js (and the Go glue it imports) stays outside,
// imported on demand when the module starts, as in the sources.
// rolldown is the bundler Vite itself runs on, pinned in package-lock.json.
//
//   node tools/bundle.mjs <out>
// Written whole or not at all.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { rolldown } from 'rolldown';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node tools/bundle.mjs <out>\n');
  process.exit(2);
}
const source = new URL('../gotoauth-browser.js', import.meta.url);
const build = await rolldown({
  input: source.pathname,
  // On demand and shared with the Node entry: left as an import of the
  // package's own file.
  external: (id) => id === './gotoauth-runtime.js',
  // A warning is a mistake here (an import that is not there, a circular
  // import): fail the build.
  onwarn(warning) {
    throw new Error(`bundle: ${warning.message}`);
  },
});
try {
  const { output } = await build.generate({
    format: 'esm',
    banner: '// gotoauth.js: the browser entry, generated from web/gotoauth-browser.js and the\n// modules it imports by web/tools/bundle.mjs, in the gotoauth repository. Do not edit.',
  });
  if (output.length !== 1) throw new Error(`bundle: expected one file, got ${output.map((o) => o.fileName).join(', ')}`);
  const tmp = `${out}.tmp`;
  writeFileSync(tmp, output[0].code);
  renameSync(tmp, out);
} catch (err) {
  rmSync(`${out}.tmp`, { force: true });
  throw err;
} finally {
  await build.close();
}
