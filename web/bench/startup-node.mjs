// One cold start in a fresh Node process: from load() to the API being
// ready. Prints the milliseconds. Usage: node startup-node.mjs gotoauth|floor
import { load } from '../gotoauth.js';

const which = process.argv[2];
const options = which === 'floor' ? { wasmURL: new URL('../floor.wasm', import.meta.url) } : {};
const t0 = performance.now();
await load(options);
process.stdout.write(`${performance.now() - t0}\n`);
process.exit(0);
