import type { Middleware } from "koa";
import { koaBody } from "koa-body";
import { bodyReadAlready } from "../early-body.js";

/**
 * JSON only, at most 1 MB; anything larger is a 413 before it is buffered. A body read already in
 * front of Koa (see challenge.ts) is taken from there.
 */
export function jsonBody(): Middleware {
  const parse = koaBody({ json: true, jsonStrict: true, jsonLimit: "1mb", urlencoded: false, text: false, multipart: false });
  return (ctx, next) => {
    const early = bodyReadAlready(ctx.req);
    if (!early.found) return parse(ctx, next);
    ctx.request.body = early.body as typeof ctx.request.body;
    return next();
  };
}

/** The parsed body when it is a JSON object; null otherwise (arrays, scalars, or not JSON at all). */
export function objectBody(body: unknown): Record<string, unknown> | null {
  return body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
}
