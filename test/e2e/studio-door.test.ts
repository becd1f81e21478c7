/**
 * Issue 25, items 6, 7, 11 and 12: the studio's door. A path's case is no way past the launch-data
 * check; ALLOWED_USER_IDS holds for the studio as for the chat; actions that call Telegram or
 * MiniMax are limited per user; media links are short-lived.
 */
import { describe, expect, it } from "vitest";
import { request } from "undici";
import { useTestApp, useTwoTestApps } from "../support/suite.js";
import { eventually } from "../support/app.js";
import { user } from "../support/scenario.js";
import { deliveredVideo, SAMPLE_MP4, studioCall, TEST_WEBAPP_URL } from "../support/studio.js";
import { launchDataFor } from "../support/webapp.js";
import { mediaToken } from "../../src/studio/media-links.js";
import { TEST_BOT_TOKEN } from "../support/app.js";

/** Asks `path` of the app exactly as written (fetch would keep the case, but say so plainly). */
async function raw(baseUrl: string, method: string, path: string, headers: Record<string, string> = {}) {
  const res = await request(baseUrl + path, { method, headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text };
}

describe("studio door: a path's case", () => {
  const s = useTestApp("door-case", { mode: "polling", env: { WEBAPP_URL: TEST_WEBAPP_URL, MINIMAX_RPM: "100" } });
  const alice = user(9701, "en");
  const asAlice = { id: alice.userId, first_name: "Alice", language_code: "en" };

  it("/APP/api/me, /app/API/videos/<id>/again and /APP reach no handler: 404, with or without launch data, and nothing starts", async () => {
    s.mm.autoComplete({ afterMs: 30, video: () => SAMPLE_MP4 });
    const { gen } = await deliveredVideo(s, alice, "the kettle steams on a stove");
    const tasksBefore = s.mm.tasks.size;
    const signed = { authorization: `tma ${launchDataFor(asAlice, TEST_BOT_TOKEN)}` };
    for (const headers of [{}, signed]) {
      for (const [method, path] of [
        ["GET", "/APP/api/me"],
        ["GET", "/app/API/me"],
        ["POST", `/app/API/videos/${gen.short_id}/again`],
        ["POST", `/APP/api/videos/${gen.short_id}/again`],
        ["POST", `/app/api/VIDEOS/${gen.short_id}/again`],
        ["POST", "/app/API/packs/10/invoice"],
        ["GET", "/APP"],
        ["GET", "/App/"],
        ["GET", "/HEALTHZ"],
      ] as const) {
        const answer = await raw(s.app.url, method, path, headers);
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect(answer.text, `${method} ${path}`).not.toMatch(/<html|Cannot read|kettle/i);
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(s.mm.tasks.size).toBe(tasksBefore);
    expect(await s.app.db.models.Generation.countDocuments({ variation_of: gen.short_id })).toBe(0);
    expect(s.tg.invoiceLinks).toHaveLength(0);
    // The lower-case paths are the studio, headers and all.
    const page = await raw(s.app.url, "GET", "/app");
    expect(page.status).toBe(200);
    expect(page.headers["content-security-policy"]).toContain("default-src 'none'");
    expect((await studioCall(s.app.url, "me", { who: asAlice })).status).toBe(200);
    expect(s.app.logs.join("")).not.toMatch(/Cannot read properties/);
  });
});

describe("studio door: ALLOWED_USER_IDS", () => {
  const s = useTestApp("door-allowed", { mode: "polling", env: { WEBAPP_URL: TEST_WEBAPP_URL, ALLOWED_USER_IDS: "9711", MINIMAX_RPM: "100", STARS_PACKS: "10:50" } });
  const member = user(9711, "en");
  const stranger = user(9712, "ru");
  const asMember = { id: member.userId, language_code: "en" };
  const asStranger = { id: stranger.userId, language_code: "ru" };

  it("a user the list leaves out gets 403 from every studio request, and nothing is opened, granted, changed or started for them", async () => {
    s.mm.autoComplete({ afterMs: 30, video: () => SAMPLE_MP4 });
    const { gen } = await deliveredVideo(s, member, "the lamp glows on a desk");
    // A video of theirs from before the list left them out: made the same way, then handed over.
    const theirs = { ...gen, _id: undefined, short_id: "s7r4ngr", user_id: stranger.userId, chat_id: stranger.chatId, minimax_job_id: "stranger-task" };
    delete theirs._id;
    await s.app.db.models.Generation.collection.insertOne(theirs);
    const tasksBefore = s.mm.tasks.size;

    for (const [method, path, body] of [
      ["GET", "me"],
      ["GET", "gallery"],
      ["GET", "balance"],
      ["GET", "settings"],
      ["PUT", "settings", { promptOptimizer: false }],
      ["POST", "packs/10/invoice"],
      ["POST", "videos/s7r4ngr/again"],
      ["POST", "videos/s7r4ngr/format", { format: "9:16" }],
      ["POST", "videos/s7r4ngr/variants"],
      ["GET", "jobs"],
    ] as const) {
      const answer = await studioCall<{ ok: boolean; error: string; text: string }>(s.app.url, path, { who: asStranger, method, body });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.body).toEqual({ ok: false, error: "Forbidden", text: "🔒 Это закрытый бот." });
    }
    // Their old media links open nothing either.
    const expires = Math.floor(Date.now() / 1000) + 600;
    for (const [path, kind] of [["videos/s7r4ngr/file", "video"], ["photos/s7r4ngr", "photo"]] as const) {
      const t = mediaToken(s.app.config.studioMediaSecret, stranger.userId, "s7r4ngr", kind, expires);
      expect((await fetch(`${s.app.url}/app/api/${path}?t=${t}`)).status, path).toBe(403);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(await s.app.db.models.User.exists({ _id: stranger.userId })).toBeNull();
    expect(await s.app.db.models.Ledger.countDocuments({ user_id: stranger.userId })).toBe(0);
    expect(await s.app.db.models.Generation.countDocuments({ user_id: stranger.userId })).toBe(1);
    expect(s.tg.invoiceLinks).toHaveLength(0);
    expect(s.mm.tasks.size).toBe(tasksBefore);

    // The member is let in, as in the chat.
    expect((await studioCall(s.app.url, "me", { who: asMember })).status).toBe(200);
    expect((await studioCall(s.app.url, "packs/10/invoice", { who: asMember, method: "POST" })).status).toBe(200);
  });
});

describe("studio door: actions that call Telegram or MiniMax are limited per user, across instances", () => {
  const s = useTwoTestApps("door-limits", { mode: "webhook", env: { WEBAPP_URL: TEST_WEBAPP_URL, STUDIO_ACTION_LIMIT: "3", STUDIO_ACTION_WINDOW_S: "20", MINIMAX_RPM: "100", STARS_PACKS: "10:50" } });
  const dana = user(9721, "ru");
  const asDana = { id: dana.userId, language_code: "ru" };
  const asEd = { id: 9722, language_code: "en" };

  it("the user's actions past the limit get 429 with Retry-After and a line in their language, and call nothing; others are not held up", async () => {
    const invoice = (app: typeof s.a, who = asDana) => studioCall<{ link?: string; text?: string }>(app.url, "packs/10/invoice", { who, method: "POST" });
    // Alternating instances: the limit is kept in MongoDB, not in one process.
    const answers = [await invoice(s.a), await invoice(s.b), await invoice(s.a), await invoice(s.b), await invoice(s.a)];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    expect(s.tg.invoiceLinks).toHaveLength(3);
    const refused = answers[3]!;
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(refused.body).toEqual({ ok: false, error: "Too Many Requests", text: "⏳ Слишком много нажатий подряд. Подождите немного и попробуйте снова." });
    // Again, format, variants and Cancel share the limit: refused before anything is read or started.
    const tasksBefore = s.mm.tasks.size;
    for (const [path, body] of [["videos/abcdefg/again"], ["videos/abcdefg/format", { format: "9:16" }], ["videos/abcdefg/variants"], ["jobs/abcdefg/cancel"]] as const) {
      expect((await studioCall(s.b.url, path, { who: asDana, method: "POST", body })).status, path).toBe(429);
    }
    expect(s.mm.tasks.size).toBe(tasksBefore);
    // Reading is not limited, and another user has a limit of their own.
    expect((await studioCall(s.a.url, "balance", { who: asDana })).status).toBe(200);
    const english = await invoice(s.b, asEd);
    expect(english.status).toBe(200);
    // Three at once from a fresh user still make three at most.
    const asFay = { id: 9723, language_code: "en" };
    const burst = await Promise.all([s.a, s.b, s.a, s.b, s.a, s.b].map((app) => invoice(app, asFay)));
    expect(burst.filter((a) => a.status === 200)).toHaveLength(3);
    expect(burst.find((a) => a.status === 429)!.body.text).toBe("⏳ That was a lot at once. Wait a moment, then try again.");
  });
});

describe("studio door: media links", () => {
  const s = useTestApp("door-links", { mode: "polling", env: { WEBAPP_URL: TEST_WEBAPP_URL, MINIMAX_RPM: "100", STUDIO_MEDIA_LINK_TTL_S: "12" } });
  const gil = user(9731, "en");
  const asGil = { id: gil.userId, language_code: "en" };

  it("live STUDIO_MEDIA_LINK_TTL_S (12 s here), not as long as the launch data; a fresh gallery call gives links that work again", { timeout: 60_000 }, async () => {
    s.mm.autoComplete({ afterMs: 30, video: () => SAMPLE_MP4 });
    await deliveredVideo(s, gil, "the clock ticks on a wall");
    const first = (await studioCall<{ items: Array<{ video: string; poster: string }> }>(s.app.url, "gallery", { who: asGil })).body.items[0]!;
    const expiry = (link: string) => Number(new URL(link, "http://x/app/").searchParams.get("t")!.split(".")[1]);
    const now = Math.floor(Date.now() / 1000);
    expect(expiry(first.video)).toBeGreaterThan(now);
    expect(expiry(first.video)).toBeLessThanOrEqual(now + 12);
    const played = await fetch(`${s.app.url}/app/${first.video}`);
    expect(played.status).toBe(200);
    expect(Number(/max-age=(\d+)/.exec(played.headers.get("cache-control") ?? "")?.[1])).toBeLessThanOrEqual(12);
    await played.arrayBuffer();
    await eventually(async () => (await fetch(`${s.app.url}/app/${first.poster}`)).status === 401, 20_000, "the link to run out");
    expect((await fetch(`${s.app.url}/app/${first.video}`)).status).toBe(401);
    const fresh = (await studioCall<{ items: Array<{ video: string }> }>(s.app.url, "gallery", { who: asGil })).body.items[0]!;
    expect((await fetch(`${s.app.url}/app/${fresh.video}`)).status).toBe(200);
  });
});
