import { createHash, timingSafeEqual } from "node:crypto";

/** Compares secrets in constant time, whatever their lengths: hashing first evens the lengths out. */
export function secretsEqual(given: string, expected: string) {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}
