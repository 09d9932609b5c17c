// Types for the package `gotoauth`: its browser entry (gotoauth.js) and its
// Node entry (gotoauth-node.js) export the same API.

/** Stable error codes; new codes may be added, existing ones never change meaning. */
export type GoToAuthErrorCode =
  | 'invalid_argument'   // wrong types, an unknown option (the message names the nearest known one: `redirectURI` → `redirectUri`), missing `clientId`, oversized input, `timeoutMs` out of range, arguments whose getters or Proxy traps throw, an unchecked result given to `exchangeCode`
  | 'invalid_redirect'   // a malformed or ambiguous redirect: duplicated parameters, a token in the query, code and token together, none of code, token or error
  | 'invalid_response'   // a 2xx answer that is not a token or a profile, or an answer over the body limit (reading stops there)
  | 'state_mismatch'     // an unknown, foreign (another client's), missing or already used state
  | 'state_expired'      // the sign-in outlived its state's lifetime
  | 'oauth_error'        // the server answered with an OAuth error (RFC 6749 §5.2, §4.1.2.1); see `.error`, `.errorDescription`, `.errorURI`, `.status`
  | 'unsupported'        // the password grant (deprecated; use the code flow) or an unknown flow
  | 'reauthenticate'     // the refresh token is dead (`invalid_grant`, or GoToConnect's `unsupported.jwt`) or the relay holds none: sign in again
  | 'http_error'         // a non-2xx answer without an OAuth error body; see `.status`
  | 'network_error'      // fetch failed, or no whole answer came within `timeoutMs`
  | 'code_already_used'  // `exchangeCode` was given a result whose code was already sent (even if that exchange failed): a code is used once, sign in again
  | 'load_failed'        // `load()` could not fetch, read, compile or start `gotoauth.wasm`; the message says what was tried
  | 'popup_blocked'      // `signInWithPopup`: the browser did not open the popup (call it from a click, or allow popups)
  | 'popup_closed'       // `signInWithPopup`: the popup was closed before the sign-in finished
  | 'internal';          // a bug in gotoauth; the module keeps working

export class GoToAuthError extends Error {
  readonly name: 'GoToAuthError';
  readonly code: GoToAuthErrorCode;
  /** The RFC 6749 error code, for oauth_error and reauthenticate. */
  readonly error?: string;
  readonly errorDescription?: string;
  readonly errorURI?: string;
  /** The HTTP status, when a server answered. */
  readonly status?: number;
  constructor(code: GoToAuthErrorCode, message: string, details?: object);
}

export type LegacyFormat = null | 'gotoconnect' | 'getgo-v1' | 'getgo-v2';

/** One token shape for every generation of GoTo's token responses. */
export interface Token {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds; absent only when the server sent no expires_in. */
  expiresIn?: number;
  /** Milliseconds since the epoch. */
  expiresAt?: number;
  refreshToken?: string;
  scope: string[];
  principal?: string;
  legacy: LegacyFormat;
  /** The user fields the getgo v1/v2 token responses carried, under their own names. */
  profile?: {
    organizer_key?: string; account_key?: string; account_type?: string;
    email?: string; firstName?: string; lastName?: string; platform?: string; version?: string;
  };
}

export type Flow = 'code' | 'implicit';

export interface AuthorizeURLOptions {
  clientId: string;
  redirectUri?: string;
  /** A list, or a space-separated string. */
  scope?: string | string[];
  flow?: Flow;
  /** At least 22 characters of A-Z a-z 0-9 - . _ ~; generated when omitted. */
  state?: string;
  authorizeEndpoint?: string;
  /** Extra query parameters; they can never set the standard ones. */
  extraParams?: Record<string, string>;
}

export interface Authorization {
  url: string;
  state: string;
  flow: Flow;
  /** Code flow only: keep it secret until the code exchange. */
  codeVerifier?: string;
  codeChallenge?: string;
}

export type RedirectResult =
  | { kind: 'code'; code: string; state: string }
  | { kind: 'token'; token: Token; state: string }
  | { kind: 'error'; error: string; errorDescription?: string; errorURI?: string; state: string };

declare const checked: unique symbol;

/** A redirect whose state was checked and consumed by handleRedirect; only these can be exchanged. */
export type CheckedRedirect =
  | { kind: 'code'; code: string; state: string; codeVerifier: string; redirectUri: string; appState?: unknown; readonly [checked]: true }
  | { kind: 'token'; token: Token; state: string; appState?: unknown; readonly [checked]: true }
  /** In a popup opened by signInWithPopup: the redirect was handed to the opener, and this window is closing. */
  | { kind: 'popup'; state: string };

/** The options of one sign-in (client.authorize, client.signInWithPopup). */
export interface SignInOptions {
  scope?: string | string[];
  flow?: Flow;
  /** At least 22 characters of A-Z a-z 0-9 - . _ ~; generated when omitted. */
  state?: string;
  /** Extra query parameters; they can never set the standard ones. */
  extraParams?: Record<string, string>;
  /**
   * The app's own value, handed back as result.appState by handleRedirect (and with the token by
   * signInWithPopup): JSON-serialisable, at most 4 KiB as JSON text. Kept beside the pending state
   * (storage), never in the URL; it comes back as JSON.parse(JSON.stringify(appState)).
   * Larger or non-JSON values reject with invalid_argument.
   */
  appState?: unknown;
}

export interface Migration { url: string; changed: boolean; notes: string[] }

/** Web Storage subset used for pending sign-ins. */
export interface PendingStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface ClientConfig {
  clientId: string;
  redirectUri: string;
  scope?: string | string[];
  flow?: Flow;
  /** sessionStorage in a browser, memory in Node, when omitted. */
  storage?: PendingStorage;
  /** Default https://authentication.logmeininc.com/oauth/authorize */
  authorizeEndpoint?: string;
  /** Default https://authentication.logmeininc.com/oauth/token */
  tokenEndpoint?: string;
  /** Default https://api.getgo.com/identity/v1/Users/me */
  meEndpoint?: string;
  /** HTTP Basic client authentication, as GoTo's guides build it. For backends only: never ship a secret to a page. */
  clientSecret?: string;
  /**
   * The token relay's folder (serve.go -relay mounts one at '/relay/'), resolved against the page.
   * exchangeCode and refresh() go through it; the client secret and the refresh token stay on the server.
   * Excludes tokenEndpoint and clientSecret.
   */
  relay?: string;
  /** How long a token or /me request may take, 100 to 600000 ms; default 30000. A timeout rejects with network_error. */
  timeoutMs?: number;
}

export interface Profile {
  id: string;
  userName: string;
  displayName?: string;
  givenName?: string;
  familyName?: string;
  locale?: string;
  timezone?: string;
  accounts: { key: string; name?: string; entitlements?: string[] }[];
  /** Where the old token response's user fields are now. */
  legacy: { organizer_key: string; account_key: string; email: string; firstName: string; lastName: string };
  raw: Record<string, unknown>;
}

/** A token as a session hands it out and as the tabs tell each other: never with a refresh token. */
export type SessionToken = Omit<Token, 'refreshToken'>;

/**
 * Where a session's token came from: 'exchange' (a code exchange or an implicit redirect), 'refresh'
 * (this tab refreshed), 'memory' (this tab refreshed through the relay, which answered from its memory
 * of a recent refresh: the same access token came back), 'tab' (another tab told this one).
 */
export type TokenSource = 'exchange' | 'refresh' | 'memory' | 'tab';

/** A session's 'change' event: the new token, and where it came from. */
export interface SessionChangeEvent extends CustomEvent<SessionToken> {
  readonly source: TokenSource;
}

export interface SessionEventMap {
  /** The token changed (a refresh, a sign-in, another tab's refresh), or a refresh through the relay brought the same one back ('memory'); in every tab. */
  change: SessionChangeEvent;
  /** A tab of this origin signed out (this one included); in every tab. */
  signedout: CustomEvent<undefined>;
  /** The token expired and could not be renewed (an implicit-flow token, a dead relay session). */
  expired: CustomEvent<SessionToken>;
}

/**
 * client.session: the client's current token, kept fresh across the tabs of an origin.
 * exchangeCode, refresh and an implicit handleRedirect fill it; signOut empties it.
 */
export interface Session extends EventTarget {
  /**
   * A token with more than 60 seconds left, refreshed first when needed (through the relay, or with
   * the refresh token the session holds outside relay mode). A tab without a token asks the other tabs,
   * then the relay. Rejects with reauthenticate when there is nothing to renew with; an implicit-flow
   * token at expiry rejects with reauthenticate and fires 'expired'. In relay mode a browser that never
   * signed in through the relay, or signed out, is known by a non-secret mark in localStorage
   * ('gotoauth.relay.<clientId>'), and the relay is not asked.
   */
  token(): Promise<SessionToken>;
  /**
   * fetch with Authorization: Bearer (an Authorization you set is kept and the session's token is not
   * sent). Redirects are refused unless init.redirect says otherwise. A 401 refreshes once (unless
   * another call already did) and retries once; a 429 or 503 with a Retry-After of at most 60 s is
   * waited for and retried once. At most one retry; a ReadableStream body is never retried.
   * The token is sent over https only (plain http to 127.0.0.1, ::1 or localhost aside; RFC 6750 §5.3):
   * any other URL rejects with invalid_argument, and nothing is sent.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** The current token, or null; never refreshes. */
  readonly current: SessionToken | null;
  addEventListener<K extends keyof SessionEventMap>(type: K, listener: (this: Session, ev: SessionEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof SessionEventMap>(type: K, listener: (this: Session, ev: SessionEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

export interface Client {
  /** The client's session: its token kept fresh, across tabs, and a fetch that carries it. */
  readonly session: Session;
  /** The configuration with its defaults; through a relay there is no tokenEndpoint. */
  readonly config: Readonly<Required<Omit<ClientConfig, 'storage' | 'clientSecret' | 'timeoutMs' | 'scope' | 'relay' | 'tokenEndpoint'>>> & { readonly scope: readonly string[]; readonly relay?: string; readonly tokenEndpoint?: string };
  /** Builds the authorize URL and remembers its state (and PKCE verifier). */
  authorize(options?: SignInOptions): Omit<Authorization, 'codeVerifier' | 'codeChallenge'>;
  /**
   * Signs in in a popup: opens the authorize URL (call it from a click), and resolves to the token once
   * the page at redirectUri, calling handleRedirect() as always, has handed the redirect back. The state
   * is checked and consumed here, as on the redirect path; the code is exchanged here (through the relay
   * in relay mode), and client.session holds the token. Rejects with popup_blocked when the browser does
   * not open the popup, popup_closed when it is closed first, oauth_error when the user declines.
   */
  signInWithPopup(options?: SignInOptions): Promise<Token & { appState?: unknown }>;
  /**
   * Whether the URL (location.href when omitted) carries an authorization response: a state with a code,
   * an access token or an error, in the query or the fragment. Does not check the state: handleRedirect does.
   */
  isRedirect(url?: string): boolean;
  /**
   * Parses the redirect (location.href when omitted), checks and consumes its state.
   * In a browser it removes the response from the address bar unless cleanAddressBar is false.
   * In a popup (a window with an opener) it first offers location.href to the opener's signInWithPopup;
   * taken, it resolves to {kind: 'popup'} and the popup closes.
   */
  handleRedirect(url?: string, options?: { cleanAddressBar?: boolean }): Promise<CheckedRedirect>;
  /** Sends the code once, with its PKCE verifier. */
  exchangeCode(result: CheckedRedirect): Promise<Token>;
  /**
   * Keeps the old refresh token when the response has none; rejects with reauthenticate when it is dead.
   * Through a relay, takes no argument: the relay holds the refresh token (a 401 there is reauthenticate).
   */
  refresh(refreshToken?: string): Promise<Token>;
  /** Through a relay, ends the server's session (the refresh token's cookie); otherwise does nothing. Empties client.session, in every tab. */
  signOut(): Promise<void>;
  /** SCIM /me, mapped onto the old token response's user fields. */
  me(accessToken: string): Promise<Profile>;
  /**
   * Releases the client: closes its session's BroadcastChannel and frees its state in the module.
   * Not a sign-out: the relay's cookie and other tabs are untouched. Afterwards every method rejects
   * with invalid_argument. Calling it again does nothing.
   */
  close(): void;
}

export interface GoToAuth {
  readonly version: string;
  pkce(): { verifier: string; challenge: string; method: 'S256' };
  authorizeURL(options: AuthorizeURLOptions): Authorization;
  /** Parses without checking state: use a client's handleRedirect to sign in. */
  parseRedirect(url: string): RedirectResult;
  normalizeTokenResponse(response: object | string): Token;
  migrateURL(url: string): Migration;
  client(config: ClientConfig): Client;
}

export interface LoadOptions {
  /** Where gotoauth.wasm is (relative to the loader); default: next to the loader. Node reads a file: URL from disk. */
  wasmURL?: string | URL;
  /** The module's bytes or a compiled module, instead of fetching it. */
  wasm?: BufferSource | WebAssembly.Module;
}

/**
 * Loads the module once; later calls resolve to the same instance. Unknown options reject with
 * invalid_argument; a module that cannot be fetched, read, compiled or started rejects with load_failed.
 */
export function load(options?: LoadOptions): Promise<GoToAuth>;
export default load;

declare global {
  /** Left by load(); the only global gotoauth writes. */
  // eslint-disable-next-line no-var
  var gotoauth: GoToAuth | undefined;
}
