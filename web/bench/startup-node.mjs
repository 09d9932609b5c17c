// One cold start in a fresh Node process, from load() to the API being
// ready; prints the milliseconds.
// Usage: node startup-node.mjs gotoauth|floor|safejsfloor
// A floor (floor.wasm, safejsfloor.wasm) goes through the same steps as
// gotoauth.js (evaluate wasm_exec.js, read, instantiate, run, wait for
// ready) without the API.
import { readFile } from 'node:fs/promises';

const FLOORS = ['floor', 'safejsfloor'];
const which = process.argv[2];
if (which !== 'gotoauth' && !FLOORS.includes(which)) throw new Error(`unknown module ${which}`);
const t0 = performance.now();
if (FLOORS.includes(which)) {
  const compiling = readFile(new URL(`../${which}.wasm`, import.meta.url)).then((b) => WebAssembly.compile(b));
  new Function(await readFile(new URL('../wasm_exec.js', import.meta.url), 'utf8'))();
  const go = new globalThis.Go();
  const instance = await WebAssembly.instantiate(await compiling, go.importObject);
  await new Promise((ready) => {
    globalThis.__gotoauthBoot = { ready };
    go.run(instance);
  });
} else {
  const { load } = await import('../gotoauth.js');
  await load();
}
process.stdout.write(`${performance.now() - t0}\n`);
process.exit(0);
