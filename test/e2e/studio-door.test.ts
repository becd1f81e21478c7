/**
 * Issue 25, items 6, 7, 11 and 12: the studio's door. A path's case is no way past the launch-data
 * check; ALLOWED_USER_IDS holds for the studio as for the chat; actions that call Telegram or
 * MiniMax are limited per user; media links are short-lived.
 */
import { describe, expect, it } from "vitest";
import { request } from "undici";
import { useTestApp } from "../support/suite.js";
import { user } from "../support/scenario.js";
import { deliveredVideo, SAMPLE_MP4, studioCall, TEST_WEBAPP_URL } from "../support/studio.js";
import { launchDataFor } from "../support/webapp.js";
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
