// A test app's own server, on a loopback port of its own (serve.go serves
// no test folders): the package's files that a page loads, from web/ (the
// list is package.json's "files", so a new module cannot be forgotten
// here), the test's own routes, and /relay/ and /goto/ proxied to serve.go
// as a dev server's proxy would (README, "Your own dev server"), so that the
// relay's SameSite=Strict cookie is same-origin. The proxy presents
// serve.go's own origin as Origin, standing in for -allow-origin.
import { createServer, request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const webDir = fileURLToPath(new URL('..', import.meta.url));
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
const NODE_ONLY = new Set(['gotoauth-node.js']);

/** The package's files a page loads, by path, with their MIME types. */
export const PAGE_FILES = Object.fromEntries(
  JSON.parse(readFileSync(webDir + 'package.json', 'utf8')).files
    .filter((f) => !NODE_ONLY.has(f) && TYPES[f.slice(f.lastIndexOf('.'))])
    .map((f) => [`/${f}`, TYPES[f.slice(f.lastIndexOf('.'))]]));

/**
 * Starts the app's server in front of serve (startServer's result).
 * route(req, res, path) sees every request first and returns true when it
 * answered it; csp, when given, is the Content-Security-Policy of every
 * answer that is not proxied. Resolves to {base, close}.
 */
/**
 * forward sends a request for the relay (/relay/) or the emulator (/goto/)
 * on to serve (startServer's result), as the app's own proxy would, with
 * the page's Origin rewritten to serve's; it returns false for any other
 * path.
 */
export function forward(req, res, path, serve) {
  if (!path.startsWith('/relay/') && !path.startsWith('/goto/')) return false;
  const target = new URL(serve.base);
  const headers = { ...req.headers, host: target.host };
  if (headers.origin) headers.origin = serve.base;
  const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  up.on('error', () => { res.statusCode = 502; res.end(); });
  req.pipe(up);
  return true;
}

export async function startApp(serve, route, { csp } = {}) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (await route(req, res, path)) return;
    if (forward(req, res, path, serve)) return;
    res.setHeader('Cache-Control', 'no-store');
    if (csp) res.setHeader('Content-Security-Policy', csp);
    if (PAGE_FILES[path]) {
      res.setHeader('Content-Type', PAGE_FILES[path]);
      return res.end(await readFile(webDir + path.slice(1)));
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((r) => server.close(r)),
  };
}
