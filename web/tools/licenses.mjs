// Writes THIRD_PARTY_LICENSES for the npm package: gotoauth.wasm links Go's
// runtime and standard library and the Go modules gotoauth imports, and
// gotoauth-glue.mjs is Go's wasm_exec.js; their licences travel with them.
// `make pack` runs it with the modules that `go list -deps` names for the
// library's module, one "path@version dir" a line on standard input:
//
//   go list -deps -f '{{with .Module}}{{if not .Main}}{{.Path}}@{{.Version}} {{.Dir}}{{end}}{{end}}' ./wasm/cmd/gotoauth \
//     | node web/tools/licenses.mjs GOROOT GOVERSION > web/THIRD_PARTY_LICENSES
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [goroot, goVersion] = process.argv.slice(2);
if (!goroot || !goVersion) {
  process.stderr.write('usage: ... | node licenses.mjs GOROOT GOVERSION > THIRD_PARTY_LICENSES\n');
  process.exit(2);
}

function licenceOf(dir, what) {
  const name = readdirSync(dir).filter((f) => /^(LICEN[CS]E|COPYING)(\.(md|txt))?$/i.test(f)).sort()[0];
  if (!name) {
    process.stderr.write(`licenses.mjs: no licence file in ${dir} (${what})\n`);
    process.exit(1);
  }
  return readFileSync(join(dir, name), 'utf8').trimEnd();
}

const modules = readFileSync(0, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean)
  .map((l) => {
    const i = l.indexOf(' ');
    return { id: l.slice(0, i), dir: l.slice(i + 1) };
  })
  .sort((a, b) => (a.id < b.id ? -1 : 1));

const rule = '-'.repeat(78);
let out = `gotoauth.wasm and gotoauth-glue.mjs contain code from the projects below,
under their own licences. gotoauth itself is under the MIT licence (LICENSE).

${rule}
Go ${goVersion} (runtime, standard library, lib/wasm/wasm_exec.js)
https://go.dev/

${licenceOf(goroot, 'Go')}
`;
const seen = new Set();
for (const { id, dir } of modules) {
  if (seen.has(id)) continue;
  seen.add(id);
  out += `
${rule}
${id}

${licenceOf(dir, id)}
`;
}
process.stdout.write(out);
