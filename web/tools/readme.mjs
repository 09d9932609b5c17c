// The README's copies, written from their one source: each block between
// `<!-- embed: PATH -->` and `<!-- /embed -->` is the file PATH (relative to
// the repository) as it stands, and every `gotoauth-X.Y.Z.tgz` names
// web/package.json's version. `node web/tools/readme.mjs` rewrites README.md;
// with --check it only says whether README.md is current (exit 1 if not).
// web/test/readme.test.mjs runs the check.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

const LANG = { '.ts': 'ts', '.js': 'js', '.mjs': 'js', '.html': 'html', '.conf': 'nginx', '.json': 'json', '.sh': 'sh' };
const langOf = (path) => LANG[extname(path)] ?? (basename(path) === 'Caddyfile' ? 'caddy' : '');

const EMBED = /^<!-- embed: (\S+) -->\n[\s\S]*?^<!-- \/embed -->$/gm;

/** README.md's text as it should be, given its current text. */
export function render(text, root = repo) {
  const { version } = JSON.parse(readFileSync(join(root, 'web', 'package.json'), 'utf8'));
  return text
    .replace(EMBED, (_, path) => {
      const body = readFileSync(join(root, path), 'utf8');
      if (body.includes('```')) throw new Error(`${path} holds a code fence`);
      return `<!-- embed: ${path} -->\n\`\`\`${langOf(path)}\n${body.replace(/\n?$/, '\n')}\`\`\`\n<!-- /embed -->`;
    })
    .replace(/\bgotoauth-\d+\.\d+\.\d+\.tgz\b/g, `gotoauth-${version}.tgz`);
}

/** The paths the README embeds, in order. */
export function embedded(text) {
  return [...text.matchAll(EMBED)].map((m) => m[1]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = join(repo, 'README.md');
  const text = readFileSync(file, 'utf8');
  const want = render(text);
  if (process.argv.includes('--check')) {
    if (want !== text) {
      console.error('README.md is not current: run node web/tools/readme.mjs');
      process.exit(1);
    }
  } else if (want !== text) {
    writeFileSync(file, want);
  }
}
