// gotoauth-errors.js: the one error type gotoauth throws or rejects with.
// A module of its own so that the loader (gotoauth-core.js) and the
// session (gotoauth-session.js) both import it without importing each
// other. The codes are listed in gotoauth.d.ts (GoToAuthErrorCode) and
// the README's Errors table.

/** The one error type gotoauth throws or rejects with; `code` is stable. */
export class GoToAuthError extends Error {
  constructor(code, message, details) {
    super(message);
    this.name = 'GoToAuthError';
    this.code = code;
    if (details && typeof details === 'object') {
      for (const key of ['error', 'errorDescription', 'errorURI', 'status']) {
        if (Object.prototype.hasOwnProperty.call(details, key) && details[key] !== undefined) this[key] = details[key];
      }
    }
  }
}
