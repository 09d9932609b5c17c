// Shared helpers for the Node tests: they load the module exactly as a
// user would, through web/gotoauth-node.js (the package's node entry).
import assert from 'node:assert/strict';
import { load, GoToAuthError } from '../gotoauth-node.js';

export { load, GoToAuthError };

/** Asserts that fn throws (or rejects with) a GoToAuthError with code. */
export async function rejectsWith(code, fn) {
  let caught;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, `expected a GoToAuthError ${code}, nothing was thrown`);
  assert.ok(caught instanceof GoToAuthError, `expected a GoToAuthError, got ${caught && caught.stack}`);
  assert.equal(caught.code, code, `wrong code (${caught.message})`);
  assert.equal(typeof caught.message, 'string');
  assert.ok(caught.message.length > 0);
  return caught;
}

/** Synchronous variant, proving the function throws rather than rejects. */
export function throwsWith(code, fn) {
  let caught;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof GoToAuthError, `expected a thrown GoToAuthError ${code}, got ${caught}`);
  assert.equal(caught.code, code, `wrong code (${caught.message})`);
  return caught;
}

/** A Web Storage stand-in that records its calls. */
export class MemoryStorage {
  constructor() { this.map = new Map(); }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
  removeItem(k) { this.map.delete(k); }
}

export const REDIRECT = 'http://127.0.0.1:8080/callback';
