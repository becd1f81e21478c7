import { createHmac, timingSafeEqual } from "node:crypto";

/** The user a Mini App was opened by, as Telegram signs it into the launch data. */
export interface WebAppUser {
  id: number;
  first_name?: string;
  language_code?: string;
}

export type InitDataRefusal = "missing" | "malformed" | "signature" | "expired";
export type InitDataCheck = { ok: true; user: WebAppUser; authDate: number } | { ok: false; reason: InitDataRefusal };

/** Launch data is a few hundred bytes; anything this large is not Telegram's. */
const MAX_LENGTH = 8_192;
/** A client clock a little ahead of ours is not an attack. */
const FUTURE_SLACK_S = 60;

/** The data-check string: every field but `hash`, sorted by name, as key=value lines. */
export function dataCheckString(fields: URLSearchParams) {
  return [...fields]
    .filter(([key]) => key !== "hash")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join("\n");
}

/** Telegram's signature of a data-check string: HMAC-SHA-256 keyed with HMAC-SHA-256("WebAppData", token). */
export function initDataHash(checkString: string, botToken: string): Buffer {
  const secret = createHmac("sha256", "WebAppData").update(botToken).digest();
  return createHmac("sha256", secret).update(checkString).digest();
}

/**
 * Checks a Mini App's launch data (Telegram.WebApp.initData) as Telegram specifies: the hash is
 * compared in constant time, and data older than `maxAgeS` is refused, so a leaked copy stops
 * working. Another bot's launch data fails the signature, since the key is this bot's token.
 */
export function checkInitData(raw: string | undefined, botToken: string, opts: { maxAgeS: number; nowS?: number }): InitDataCheck {
  if (!raw) return { ok: false, reason: "missing" };
  if (raw.length > MAX_LENGTH) return { ok: false, reason: "malformed" };
  const fields = new URLSearchParams(raw);
  const names = [...fields.keys()];
  // A repeated field would let the signed value and the value we read differ.
  if (new Set(names).size !== names.length) return { ok: false, reason: "malformed" };
  const hash = fields.get("hash");
  if (!hash || !/^[0-9a-f]{64}$/.test(hash)) return { ok: false, reason: "signature" };
  if (!timingSafeEqual(Buffer.from(hash, "hex"), initDataHash(dataCheckString(fields), botToken))) return { ok: false, reason: "signature" };

  const authDate = Number(fields.get("auth_date"));
  if (!Number.isSafeInteger(authDate) || authDate <= 0) return { ok: false, reason: "malformed" };
  const now = opts.nowS ?? Math.floor(Date.now() / 1000);
  if (now - authDate > opts.maxAgeS || authDate - now > FUTURE_SLACK_S) return { ok: false, reason: "expired" };

  let user: unknown;
  try {
    user = JSON.parse(fields.get("user") ?? "");
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const id = (user as { id?: unknown } | null)?.id;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) return { ok: false, reason: "malformed" };
  const { first_name, language_code } = user as { first_name?: unknown; language_code?: unknown };
  return {
    ok: true,
    authDate,
    user: {
      id,
      ...(typeof first_name === "string" ? { first_name } : {}),
      ...(typeof language_code === "string" ? { language_code } : {}),
    },
  };
}
