// gotoauth-errors.js: the one error type gotoauth throws or rejects with.
// A module of its own so that every part of the loader imports it without
// importing the others. The codes are gotoauth-contract.js' constants,
// generated from wasm/oauth/errors.go, their one home.

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
