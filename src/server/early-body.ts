import type { IncomingMessage } from "node:http";

/**
 * Bodies read in front of Koa (the challenge shortcut) and handed on to the route's body parser, so
 * no request body is read twice. Kept apart so both sides import it without importing each other.
 */
const MALFORMED = Symbol("malformed JSON");
const readAlready = new WeakMap<IncomingMessage, unknown>();

/** Records what was read for `req`: the parsed JSON, or `undefined` with `malformed` when it did not parse. */
export function keepReadBody(req: IncomingMessage, body: unknown, malformed = false) {
  readAlready.set(req, malformed ? MALFORMED : body);
}

/** The body read early for `req`: `found` false when it was not; throws on malformed JSON. */
export function bodyReadAlready(req: IncomingMessage): { found: boolean; body?: unknown } {
  if (!readAlready.has(req)) return { found: false };
  const body = readAlready.get(req);
  if (body === MALFORMED) throw Object.assign(new Error("Malformed JSON"), { status: 400, expose: true });
  return { found: true, body };
}
