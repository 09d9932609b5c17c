// Compiled by types.test.mjs with tsc --strict: the way an app uses
// gotoauth must type-check against gotoauth.d.ts, and misuse must not.
import { load, GoToAuthError, type Token, type CheckedRedirect, type GoToAuth, type Session, type SessionToken } from '../../gotoauth.js';

async function main(): Promise<void> {
  const g: GoToAuth = await load({ wasmURL: new URL('./gotoauth.wasm', import.meta.url) });
  const a = g.authorizeURL({ clientId: 'c', scope: ['identity:scim.me'], flow: 'code', extraParams: { prompt: 'login' } });
  const verifier: string | undefined = a.codeVerifier;
  const r = g.parseRedirect(a.url);
  if (r.kind === 'token') {
    const t: Token = r.token;
    const seconds: number | undefined = t.expiresIn;
    console.log(seconds, t.legacy === 'gotoconnect', t.profile?.organizer_key);
  } else if (r.kind === 'error') {
    console.log(r.error, r.errorDescription);
  } else {
    console.log(r.code, verifier);
  }
  const client = g.client({ clientId: 'c', redirectUri: 'https://app.example/', timeoutMs: 5000 });
  const api = g.client({ clientId: 'c', redirectUri: 'https://app.example/', apiOrigins: ['https://api.example.com'] });
  const origins: readonly string[] = api.config.apiOrigins;
  console.log(origins);
  const checked: CheckedRedirect = await client.handleRedirect(undefined, { cleanAddressBar: false });
  if (checked.kind === 'code') {
    const token = await client.exchangeCode(checked);
    const refreshed = await client.refresh(token.refreshToken ?? '');
    const me = await client.me(refreshed.accessToken);
    console.log(me.legacy.organizer_key, me.accounts[0]?.entitlements);
  }
  const session: Session = client.session;
  session.addEventListener('change', (e) => {
    const source: 'exchange' | 'refresh' | 'memory' | 'tab' = e.source;
    console.log(e.detail.accessToken, e.detail.expiresAt, source);
  });
  const redirected: boolean = client.isRedirect() || client.isRedirect('https://app.example/?code=x&state=y');
  console.log(redirected);
  // @ts-expect-error: isRedirect takes a string
  client.isRedirect(new URL('https://app.example/'));
  session.addEventListener('signedout', () => console.log('signed out'));
  const fresh: SessionToken = await session.token();
  const resp: Response = await session.fetch('https://api.example/me', { method: 'GET' });
  console.log(fresh.accessToken, resp.status, session.current?.accessToken);
  // @ts-expect-error: a session's token has no refresh token
  console.log(fresh.refreshToken);
  try {
    g.migrateURL('https://api.getgo.com/oauth/v2/token');
  } catch (err) {
    if (err instanceof GoToAuthError && err.code === 'reauthenticate') console.log(err.status);
  }
  // @ts-expect-error: a parsed redirect is not a checked one
  await client.exchangeCode(g.parseRedirect(a.url));
  // @ts-expect-error: flows are "code" or "implicit"
  g.authorizeURL({ clientId: 'c', flow: 'password' });
  // @ts-expect-error: an error code is one of the generated union's
  if (new GoToAuthError('invalid_argument', 'x').code === 'no_such_code') console.log('never');
  // @ts-expect-error: timeoutMs is a number of milliseconds
  g.client({ clientId: 'c', redirectUri: 'https://app.example/', timeoutMs: '5000' });
  // @ts-expect-error: clientId is required
  g.client({ redirectUri: 'https://app.example/' });
  const a2 = client.authorize({ appState: { returnTo: '/inbox' }, scope: 'identity:scim.me' });
  console.log(a2.url);
  const popped = await client.signInWithPopup({ appState: ['x'] });
  const popAccess: string = popped.accessToken;
  const popApp: unknown = popped.appState;
  console.log(popAccess, popApp);
  if (checked.kind !== 'popup') console.log(checked.appState, checked.state);
  // Every variant has appState (undefined in a popup), so it destructures
  // without narrowing.
  const { appState: returned } = await client.handleRedirect();
  const returnedApp: unknown = returned;
  console.log(returnedApp);
  try {
    await client.signInWithPopup();
  } catch (err) {
    if (err instanceof GoToAuthError && (err.code === 'popup_blocked' || err.code === 'popup_closed' || err.code === 'load_failed' || err.code === 'code_already_used')) console.log(err.message);
  }
  const closed: void = client.close();
  console.log(closed);
}

void main;
