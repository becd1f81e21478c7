import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * A <video> or <img> cannot send the launch data, so the studio's API hands out links to a user's
 * own media that carry a token instead: the user, an expiry, and an HMAC of both with the video's
 * id and the kind of file. It opens that one file for that one user until it expires: an hour by
 * default (STUDIO_MEDIA_LINK_TTL_S), never later than the launch data that got it. Links can land
 * in a proxy's logs, so they are short-lived; the page asks for fresh ones when they run out.
 */
export type MediaKind = "video" | "photo";

const mac = (secret: string, userId: number, shortId: string, kind: MediaKind, expiresS: number) =>
  createHmac("sha256", secret).update(`${kind}:${shortId}:${userId}:${expiresS}`).digest().subarray(0, 16);

export function mediaToken(secret: string, userId: number, shortId: string, kind: MediaKind, expiresS: number) {
  return `${userId}.${expiresS}.${mac(secret, userId, shortId, kind, expiresS).toString("base64url")}`;
}

/**
 * When a link made now expires: `ttlS` from now, rounded down to a sixth of it, so the links of one
 * file made close together are one link (the browser keeps what it fetched), and never past `latestS`.
 */
export function linkExpiry(ttlS: number, latestS: number, nowS = Math.floor(Date.now() / 1000)) {
  const step = Math.max(1, Math.floor(ttlS / 6));
  return Math.min(latestS, Math.floor((nowS + ttlS) / step) * step);
}

/** Who a token was made for and until when, or null if it is forged, for another file, or expired. */
export function mediaTokenUser(secret: string, token: string | undefined, shortId: string, kind: MediaKind, nowS = Math.floor(Date.now() / 1000)): { userId: number; expiresS: number } | null {
  const match = /^(\d{1,15})\.(\d{1,12})\.([\w-]{22})$/.exec(token ?? "");
  if (!match) return null;
  const userId = Number(match[1]);
  const expiresS = Number(match[2]);
  const given = Buffer.from(match[3]!, "base64url");
  if (given.length !== 16 || !timingSafeEqual(given, mac(secret, userId, shortId, kind, expiresS))) return null;
  return expiresS >= nowS ? { userId, expiresS } : null;
}
