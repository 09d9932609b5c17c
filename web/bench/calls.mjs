// Calls per second in Node, every subject in one process and measured in
// interleaved rounds, so that machine noise hits them alike. Prints JSON.
import { readFile } from 'node:fs/promises';
import * as oauth from 'oauth4webapi';
import { load } from '../gotoauth-node.js';
import { goRuntime } from '../gotoauth-runtime.js';

const ENDPOINT = 'https://authentication.logmeininc.com/oauth/authorize';
const REDIRECT = 'https://app.example/callback';
const STATE = 'Yx2bKq8kG4N0c3-7nUfQ1wHs9pZrLtA5VjE6dMoXcIy';
const CODE_REDIRECT = `${REDIRECT}?code=iS0vynEEvRFA9i6kZ8gvNDnnOGE&state=${STATE}`;
const LEGACY_REDIRECT = `${REDIRECT}#access_token=eyJraWQiOiJvYXV0aHYyLmxt666&type=bearer&expires_in=2592000000&username=jive-user%40jive.com&state=${STATE}`;

const ROUNDS = Number(process.env.BENCH_ROUNDS || 9);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS || 300);

// The floors: Go modules that export a no-op, one through syscall/js alone
// (floor.wasm), one through safejs (safejsfloor.wasm). Called raw.
async function loadFloor(name) {
  const { go, global } = goRuntime();
  const bytes = await readFile(new URL(`../${name}.wasm`, import.meta.url));
  const { instance } = await WebAssembly.instantiate(bytes, go.importObject);
  return new Promise((ready) => {
    global.__gotoauthBoot = { ready };
    go.run(instance);
  });
}

const g = await load();
const floor = await loadFloor('floor');
const safejsFloor = await loadFloor('safejsfloor');
if (floor.version !== 'floor' || safejsFloor.version !== 'safejsfloor') throw new Error('a floor module is not the expected one');

const as = { issuer: 'https://authentication.logmeininc.com', authorization_endpoint: ENDPOINT };
const client = { client_id: 'bench' };
async function o4wAuthorize() {
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', client.client_id);
  url.searchParams.set('redirect_uri', REDIRECT);
  url.searchParams.set('scope', 'identity:scim.me');
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.href;
}
function o4wValidate(raw) {
  const u = new URL(raw);
  // An implicit response is in the fragment; validateAuthResponse takes
  // its parameters as URLSearchParams.
  return oauth.validateAuthResponse(as, client, u.hash ? new URLSearchParams(u.hash.slice(1)) : u, STATE);
}

// Each subject must do its job correctly before it is timed.
if (g.parseRedirect(LEGACY_REDIRECT).token.expiresIn !== 2592000) throw new Error('parseRedirect is wrong');
if (!g.authorizeURL({ clientId: 'bench', redirectUri: REDIRECT }).url.includes('code_challenge_method=S256')) throw new Error('authorizeURL is wrong');
o4wValidate(CODE_REDIRECT);
o4wValidate(LEGACY_REDIRECT);
if (!(await o4wAuthorize()).includes('code_challenge=')) throw new Error('oauth4webapi authorize is wrong');

const subjects = {
  'floor.noop': [() => floor.noop(), false],
  'safejsfloor.noop': [() => safejsFloor.noop(), false],
  'gotoauth.authorizeURL': [() => g.authorizeURL({ clientId: 'bench', redirectUri: REDIRECT, scope: 'identity:scim.me' }), false],
  'gotoauth.parseRedirectCode': [() => g.parseRedirect(CODE_REDIRECT), false],
  'gotoauth.parseRedirectLegacy': [() => g.parseRedirect(LEGACY_REDIRECT), false],
  'oauth4webapi.authorizeURL': [o4wAuthorize, true],
  'oauth4webapi.parseRedirectCode': [() => o4wValidate(CODE_REDIRECT), false],
  'oauth4webapi.parseRedirectLegacy': [() => o4wValidate(LEGACY_REDIRECT), false],
};

async function round(fn, isAsync, ms) {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 50; i++) {
      if (isAsync) await fn(); else fn();
    }
    n += 50;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

const rates = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (const [fn, isAsync] of Object.values(subjects)) await round(fn, isAsync, 200); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, [fn, isAsync]] of Object.entries(subjects)) rates[name].push(await round(fn, isAsync, ROUND_MS));
}
const median = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, Math.round(median(v))]))) + '\n');
process.exit(0);
