// One cold start in a fresh Node process, from load() to the API being
// ready; prints the milliseconds.
// Usage: node startup-node.mjs gotoauth|floor|safejsfloor
// A floor (floor.wasm, safejsfloor.wasm) goes through the same steps as
// gotoauth's loader (read, start a Go runtime with its own global object,
// instantiate, run, wait for ready) without the API.
import { readFile } from 'node:fs/promises';

const FLOORS = ['floor', 'safejsfloor'];
const which = process.argv[2];
if (which !== 'gotoauth' && !FLOORS.includes(which)) throw new Error(`unknown module ${which}`);
const t0 = performance.now();
if (FLOORS.includes(which)) {
  const { goRuntime } = await import('../gotoauth-runtime.js');
  const module = await WebAssembly.compile(await readFile(new URL(`../${which}.wasm`, import.meta.url)));
  const { go, global } = goRuntime();
  const instance = await WebAssembly.instantiate(module, go.importObject);
  await new Promise((ready) => {
    global.__gotoauthBoot = { ready };
    go.run(instance);
  });
} else {
  const { load } = await import('../gotoauth-node.js');
  await load();
}
process.stdout.write(`${performance.now() - t0}\n`);
process.exit(0);
