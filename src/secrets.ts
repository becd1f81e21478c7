import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** Compares secrets in constant time, whatever their lengths: hashing first evens the lengths out. */
export function secretsEqual(given: string, expected: string) {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The token in a generation's callback URL: an HMAC of its id under CALLBACK_SECRET, so a callback
 * (MiniMax's challenge above all) is checked without reading the database.
 */
export function callbackToken(secret: string, shortId: string) {
  return createHmac("sha256", secret).update(`callback:${shortId}`).digest("base64url");
}
