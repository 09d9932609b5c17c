// Calls per second in Node, one subject per process.
// Usage: node calls.mjs gotoauth|floor|oauth4webapi
import { readFile } from 'node:fs/promises';

const ENDPOINT = 'https://authentication.logmeininc.com/oauth/authorize';
const REDIRECT = 'https://app.example/callback';
const CODE_REDIRECT = 'https://app.example/callback?code=iS0vynEEvRFA9i6kZ8gvNDnnOGE&state=Yx2bKq8kG4N0c3-7nUfQ1wHs9pZrLtA5VjE6dMoXcIy';
const LEGACY_REDIRECT = 'https://app.example/callback#access_token=eyJraWQiOiJvYXV0aHYyLmxt666&type=bearer&expires_in=2592000000&username=jive-user%40jive.com&state=Yx2bKq8kG4N0c3-7nUfQ1wHs9pZrLtA5VjE6dMoXcIy';
const STATE = 'Yx2bKq8kG4N0c3-7nUfQ1wHs9pZrLtA5VjE6dMoXcIy';

/** Median calls/s over rounds of ~roundMs each, after a warm-up. */
async function rate(fn, isAsync, rounds = 7, roundMs = 400) {
  const run = async (ms) => {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ms) {
      for (let i = 0; i < 100; i++) {
        if (isAsync) await fn(); else fn();
      }
      n += 100;
      t = performance.now();
    }
    return (n * 1000) / (t - t0);
  };
  await run(300);
  const rates = [];
  for (let r = 0; r < rounds; r++) rates.push(await run(roundMs));
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)];
}

async function floor() {
  await import('../wasm_exec.js').catch(async () => {
    new Function(await readFile(new URL('../wasm_exec.js', import.meta.url), 'utf8'))();
  });
  const go = new globalThis.Go();
  const { instance } = await WebAssembly.instantiate(await readFile(new URL('../floor.wasm', import.meta.url)), go.importObject);
  const api = await new Promise((ready) => {
    globalThis.__gotoauthBoot = { ready };
    go.run(instance);
  });
  return { noop: await rate(() => api.noop(), false) };
}

async function gotoauth() {
  const { load } = await import('../gotoauth.js');
  const g = await load();
  const check = g.parseRedirect(LEGACY_REDIRECT);
  if (check.token.expiresIn !== 2592000) throw new Error('parseRedirect is wrong');
  return {
    authorizeURL: await rate(() => g.authorizeURL({ clientId: 'bench', redirectUri: REDIRECT, scope: 'identity:scim.me' }), false),
    parseRedirectCode: await rate(() => g.parseRedirect(CODE_REDIRECT), false),
    parseRedirectLegacy: await rate(() => g.parseRedirect(LEGACY_REDIRECT), false),
  };
}

async function oauth4webapi() {
  const oauth = await import('oauth4webapi');
  const as = { issuer: 'https://authentication.logmeininc.com', authorization_endpoint: ENDPOINT };
  const client = { client_id: 'bench' };
  const authorize = async () => {
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
  };
  const validate = (raw) => {
    const u = new URL(raw);
    // The implicit response is in the fragment; oauth4webapi validates
    // parameters given as URLSearchParams.
    const params = u.hash ? new URLSearchParams(u.hash.slice(1)) : u;
    return oauth.validateAuthResponse(as, client, params, STATE);
  };
  validate(CODE_REDIRECT);
  validate(LEGACY_REDIRECT);
  return {
    authorizeURL: await rate(authorize, true),
    parseRedirectCode: await rate(() => validate(CODE_REDIRECT), false),
    parseRedirectLegacy: await rate(() => validate(LEGACY_REDIRECT), false),
  };
}

const subjects = { floor, gotoauth, oauth4webapi };
const which = process.argv[2];
if (!subjects[which]) {
  console.error('usage: node calls.mjs gotoauth|floor|oauth4webapi');
  process.exit(2);
}
process.stdout.write(JSON.stringify(await subjects[which]()) + '\n');
process.exit(0);
