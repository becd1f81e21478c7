import { describe, expect, it } from "vitest";
import { checkInitData } from "../../src/telegram/init-data.js";
import { exampleFields, signLaunchData } from "../support/webapp.js";

const TOKEN = "7012345678:AAFtest-token-0123456789abcdefghijk";
const OTHER_BOT = "7099999999:AAFanother-bot-token-0123456789abcd";
const NOW = 1_800_000_000;
const DAY = 86_400;
const check = (raw: string | undefined, nowS = NOW + 5) => checkInitData(raw, TOKEN, { maxAgeS: DAY, nowS });
const fields = () => exampleFields({ id: 279058397, language_code: "ru" }, NOW);

describe("checkInitData", () => {
  it("accepts Telegram's example shape signed with the bot's token, and reads the user from it", () => {
    const result = check(signLaunchData(fields(), TOKEN));
    expect(result).toEqual({ ok: true, authDate: NOW, user: { id: 279058397, first_name: "Vladislav", language_code: "ru" } });
  });

  it("accepts the fields in any order and encoded with %20 instead of +", () => {
    const raw = signLaunchData(fields(), TOKEN);
    const reordered = new URLSearchParams([...new URLSearchParams(raw)].reverse()).toString().replace(/\+/g, "%20");
    expect(check(reordered)).toMatchObject({ ok: true });
  });

  it("refuses a changed field: another user id, the same hash", () => {
    const raw = new URLSearchParams(signLaunchData(fields(), TOKEN));
    raw.set("user", raw.get("user")!.replace("279058397", "279058398"));
    expect(check(raw.toString())).toEqual({ ok: false, reason: "signature" });
  });

  it("refuses a field added after signing", () => {
    expect(check(`${signLaunchData(fields(), TOKEN)}&start_param=x`)).toEqual({ ok: false, reason: "signature" });
  });

  it("refuses a wrong hash, a hash of the wrong length and a missing hash", () => {
    const raw = new URLSearchParams(signLaunchData(fields(), TOKEN));
    const hash = raw.get("hash")!;
    raw.set("hash", hash.slice(0, -1) + (hash.endsWith("0") ? "1" : "0"));
    expect(check(raw.toString())).toEqual({ ok: false, reason: "signature" });
    raw.set("hash", hash.slice(0, 40));
    expect(check(raw.toString())).toEqual({ ok: false, reason: "signature" });
    raw.delete("hash");
    expect(check(raw.toString())).toEqual({ ok: false, reason: "signature" });
  });

  it("refuses launch data signed with another bot's token", () => {
    expect(check(signLaunchData(fields(), OTHER_BOT))).toEqual({ ok: false, reason: "signature" });
  });

  it("refuses an auth_date older than the maximum age, and accepts it just inside", () => {
    const raw = signLaunchData(fields(), TOKEN);
    expect(check(raw, NOW + DAY)).toMatchObject({ ok: true });
    expect(check(raw, NOW + DAY + 1)).toEqual({ ok: false, reason: "expired" });
    // A date far in the future is no better than an old one.
    expect(check(raw, NOW - 3_600)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses nothing at all, a repeated field, and signed data without a user", () => {
    expect(check(undefined)).toEqual({ ok: false, reason: "missing" });
    expect(check("")).toEqual({ ok: false, reason: "missing" });
    const raw = signLaunchData(fields(), TOKEN);
    expect(check(`${raw}&auth_date=${NOW}`)).toEqual({ ok: false, reason: "malformed" });
    const withoutUser: Record<string, string> = fields();
    delete withoutUser.user;
    expect(check(signLaunchData(withoutUser, TOKEN))).toEqual({ ok: false, reason: "malformed" });
    expect(check(signLaunchData({ ...fields(), user: '{"id":"1"}' }, TOKEN))).toEqual({ ok: false, reason: "malformed" });
  });
});
