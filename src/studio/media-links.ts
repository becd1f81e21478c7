import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * A <video> or <img> cannot send the launch data, so the studio's API hands out links to a user's
 * own media that carry a token instead: the user, an expiry, and an HMAC of both with the video's
 * id and the kind of file. It opens that one file for that one user until it expires (when the
 * launch data that got it would be refused too).
 */
export type MediaKind = "video" | "photo";

const mac = (secret: string, userId: number, shortId: string, kind: MediaKind, expiresS: number) =>
  createHmac("sha256", secret).update(`${kind}:${shortId}:${userId}:${expiresS}`).digest().subarray(0, 16);

export function mediaToken(secret: string, userId: number, shortId: string, kind: MediaKind, expiresS: number) {
  return `${userId}.${expiresS}.${mac(secret, userId, shortId, kind, expiresS).toString("base64url")}`;
}

/** The user a token was made for, or null if it is forged, for another file, or expired. */
export function mediaTokenUser(secret: string, token: string | undefined, shortId: string, kind: MediaKind, nowS = Math.floor(Date.now() / 1000)): number | null {
  const match = /^(\d{1,15})\.(\d{1,12})\.([\w-]{22})$/.exec(token ?? "");
  if (!match) return null;
  const userId = Number(match[1]);
  const expiresS = Number(match[2]);
  const given = Buffer.from(match[3]!, "base64url");
  if (given.length !== 16 || !timingSafeEqual(given, mac(secret, userId, shortId, kind, expiresS))) return null;
  return expiresS >= nowS ? userId : null;
}
