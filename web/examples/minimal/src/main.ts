import { load, GoToAuthError } from 'gotoauth';

// `make run`'s GoTo emulator, in a clone of the gotoauth repository. Against
// GoTo itself: your own clientId, and delete authorizeEndpoint and meEndpoint.
const EMULATOR = 'http://127.0.0.1:8080/goto';

const gotoauth = await load();               // also at globalThis.gotoauth
const client = gotoauth.client({
  clientId: 'gotoauth-demo',                 // the emulator's demo client
  redirectUri: location.origin + '/',
  scope: ['identity:scim.me'],
  // The code flow with PKCE, through the token relay (serve.go -relay, or web/relay in your Go
  // backend): the client secret and the refresh token stay on the server. A page alone, against
  // GoTo: flow: 'implicit', and no relay.
  flow: 'code',
  relay: '/relay/',                          // the page's own origin; vite.config.js forwards it
  authorizeEndpoint: `${EMULATOR}/oauth/authorize`,
  meEndpoint: `${EMULATOR}/identity/v1/Users/me`,
});

const status = document.querySelector<HTMLElement>('#status')!;
const signInButton = document.querySelector<HTMLButtonElement>('#sign-in')!;
const signOutButton = document.querySelector<HTMLButtonElement>('#sign-out')!;

function showUser(name: string): void {
  status.textContent = `Signed in as ${name}.`;   // textContent: never HTML from a server
  signInButton.hidden = true;
  signOutButton.hidden = false;
}

function showSignIn(): void {
  status.textContent = 'Not signed in.';
  signInButton.hidden = false;
  signOutButton.hidden = true;
}

function showError(message: string): void {
  status.textContent = message;              // one sentence, for a person
  signInButton.hidden = false;
  signOutButton.hidden = true;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

signInButton.addEventListener('click', async () => {
  await gotoauth.ready();                    // after a signed-in reload, the module may still be loading
  location.assign(client.authorize().url);   // remembers state and PKCE verifier for a while
});
signOutButton.addEventListener('click', () => {
  client.signOut().then(showSignIn, (err: unknown) => showError(messageOf(err)));
});
client.session.addEventListener('signedout', () => showSignIn());   // this tab or another

try {
  if (client.isRedirect()) {
    const result = await client.handleRedirect();  // checks and consumes the state, cleans the address bar
    if (result.kind === 'code') await client.exchangeCode(result);  // through the relay; fills client.session
  }
  const token = await client.session.token();      // after a reload: renewed through the relay's cookie
  const me = await client.me(token.accessToken);
  showUser(me.userName);                           // never log the token itself
} catch (err) {
  if (err instanceof GoToAuthError && err.code === 'reauthenticate') showSignIn();  // nobody signed in
  else showError(messageOf(err));
}
