import { koaBody } from "koa-body";

/** JSON only, at most 1 MB; anything larger is a 413 before it is buffered. */
export const jsonBody = () =>
  koaBody({ json: true, jsonStrict: true, jsonLimit: "1mb", urlencoded: false, text: false, multipart: false });

/** The parsed body when it is a JSON object; null otherwise (arrays, scalars, or not JSON at all). */
export function objectBody(body: unknown): Record<string, unknown> | null {
  return body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
}
