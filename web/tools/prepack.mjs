// npm pack's prepack: refuses to pack a package that would not run. The
// files below are build outputs that `make pack` writes (the module, the Go
// glue, the browser entry, the copies of README.md and LICENSE, the third-party licences); an
// `npm pack` run by hand before them would ship a broken tarball.
import { existsSync, statSync } from 'node:fs';

const here = (p) => new URL(`../${p}`, import.meta.url);
const missing = ['gotoauth.wasm', 'gotoauth-glue.mjs', 'gotoauth.js', 'README.md', 'LICENSE', 'THIRD_PARTY_LICENSES']
  .filter((f) => !existsSync(here(f)) || statSync(here(f)).size === 0);
if (missing.length > 0) {
  process.stderr.write(`gotoauth: ${missing.join(', ')} missing: run \`make pack\` at the repository root, which builds them and packs\n`);
  process.exit(1);
}
