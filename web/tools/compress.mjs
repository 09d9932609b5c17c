// Writes gzip -9 and brotli -q 11 siblings (.gz, .br) of each file named on
// the command line, for serve.go's precompressed serving. Node's zlib has
// both, so the build needs no other tool.
import { readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

export function gzip(bytes) {
  return gzipSync(bytes, { level: 9 });
}

export function brotli(bytes) {
  return brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of process.argv.slice(2)) {
    const bytes = readFileSync(file);
    writeFileSync(`${file}.gz`, gzip(bytes));
    writeFileSync(`${file}.br`, brotli(bytes));
  }
}
