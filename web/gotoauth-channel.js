// gotoauth-channel.js: calls into the module, across the boundary. The
// crossing format (one text payload in, one JSON text out, through a
// buffer shared with Go) is written down once, in wasm/bridge/export.go;
// this is its JS half.
import { GoToAuthError } from './gotoauth-errors.js';
import { INTERNAL, MIN_BUFFER, MAX_BUFFER } from './gotoauth-contract.js';
import { invalid } from './gotoauth-args.js';

/** decode turns Go's JSON envelope into the value, or throws its error. */
function decode(text) {
  if (typeof text !== 'string') throw new GoToAuthError(INTERNAL, 'the gotoauth module is not running');
  const r = JSON.parse(text);
  if (r.error) throw new GoToAuthError(r.error.code, r.error.message, r.error);
  return r.ok;
}

/**
 * channel returns call(fn, payload, ...args): fn's JSON result, decoded.
 * The buffer shared with Go grows to fit a payload, from MIN_BUFFER up to
 * MAX_BUFFER; a payload that does not fit whole is refused, never cut.
 */
export function channel(raw) {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let io = new Uint8Array(MIN_BUFFER);
  const read = (r) => decode(typeof r === 'number' ? decoder.decode(io.subarray(0, r)) : r);
  read(raw.setBuffer(0, io));

  function put(text) {
    let r = encoder.encodeInto(text, io);
    if (r.read < text.length && io.length < MAX_BUFFER) {
      // UTF-8 takes at most three bytes per UTF-16 unit.
      io = new Uint8Array(Math.min(MAX_BUFFER, Math.max(io.length * 2, text.length * 3 + 1024)));
      read(raw.setBuffer(0, io));
      r = encoder.encodeInto(text, io);
    }
    if (r.read < text.length) {
      throw invalid(`the input is too large: ${MAX_BUFFER >> 20} MiB at most once encoded`);
    }
    return r.written;
  }

  return function call(fn, payload, ...args) {
    return read(fn(payload === '' ? 0 : put(payload), ...args));
  };
}

/**
 * later calls a raw asynchronous function, whose last argument is the
 * callback Go settles, as a Promise.
 */
export function later(call, fn, payload, ...args) {
  return new Promise((resolve, reject) => {
    call(fn, payload, ...args, (text) => {
      try { resolve(decode(text)); } catch (err) { reject(err); }
    });
  });
}
