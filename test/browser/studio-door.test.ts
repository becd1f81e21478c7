import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, TEST_BOT_TOKEN } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { sha256, user } from "../support/scenario.js";
import { deliveredVideo, SAMPLE_MP4, TEST_WEBAPP_URL } from "../support/studio.js";
import { launchChromium, telegramClientScript, type Browser } from "../support/browser.js";
import { launchDataFor, launchUrl, LIGHT_THEME } from "../support/webapp.js";

/**
 * Issue 25, items 11 and 12, in a real Chromium: media links that expire (15 s here) are renewed
 * by the page, and an action past the user's limit (one per minute here) is told to wait, in the
 * user's language.
 */
describe("studio door in a real browser", () => {
  const s = useTestApp("studio-door-browser", {
    mode: "polling",
    env: { WEBAPP_URL: TEST_WEBAPP_URL, MINIMAX_RPM: "100", STUDIO_MEDIA_LINK_TTL_S: "15", STUDIO_ACTION_LIMIT: "1", STUDIO_ACTION_WINDOW_S: "60" },
  });
  let browser: Browser;
  const alice = user(9741, "en");
  const bob = user(9742, "ru");

  beforeAll(async () => {
    s.mm.autoComplete({ afterMs: 30, video: () => SAMPLE_MP4 });
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  async function openAt(who: { id: number; language_code: string }, shortId?: string) {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    const problems: string[] = [];
    page.on("pageerror", (err) => problems.push(err.message));
    await page.addInitScript(telegramClientScript(LIGHT_THEME));
    await page.goto(launchUrl(`${s.app.url}/app${shortId ? `?video=${shortId}` : ""}`, launchDataFor(who, TEST_BOT_TOKEN)));
    return { page, problems };
  }

  it("a gallery left open past its links' lifetime still plays a video from fresh links, and Download gets a link that works", { timeout: 60_000 }, async () => {
    const { gen } = await deliveredVideo(s, alice, "the watch turns on a velvet cushion");
    const { page, problems } = await openAt({ id: alice.userId, language_code: "en" });
    const poster = page.locator("article.card img").first();
    await eventually(() => poster.evaluate((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0), 10_000, "the poster");
    const staleToken = new URL((await poster.getAttribute("src"))!, `${s.app.url}/app/`).searchParams.get("t")!;
    await eventually(async () => (await fetch(`${s.app.url}/app/api/photos/${gen.short_id}?t=${staleToken}`)).status === 401, 25_000, "the gallery's links to expire");

    // Opened now, the video's link from the gallery has expired: the page asks for fresh ones and plays.
    await page.locator("article.card .poster").first().click();
    const video = page.locator("section.video video");
    await eventually(() => video.evaluate((v) => (v as HTMLVideoElement).readyState >= 2), 15_000, "the first frame");
    const playing = new URL((await video.getAttribute("src"))!).searchParams.get("t")!;
    expect(playing).not.toBe(staleToken);
    expect(await page.locator("p.notice").count()).toBe(0);

    await page.getByRole("button", { name: "⬇️ Download" }).click();
    const request = await eventually(
      async () => (await page.evaluate(() => (window as unknown as { __telegram: { events: Array<{ type: string; payload?: { url?: string } }> } }).__telegram.events)).find((e) => e.type === "web_app_request_file_download"),
      5_000,
      "downloadFile",
    );
    const file = await fetch(String(request.payload!.url));
    expect(file.status).toBe(200);
    expect(sha256(Buffer.from(await file.arrayBuffer()))).toBe(sha256(SAMPLE_MP4));
    expect(problems).toEqual([]);
    await page.close();
  });

  it("an action past the user's limit says to wait a moment, in the user's language, and starts nothing", { timeout: 60_000 }, async () => {
    const { gen } = await deliveredVideo(s, bob, "часы на бархатной подушке");
    const { page, problems } = await openAt({ id: bob.userId, language_code: "ru" }, gen.short_id);
    await page.getByRole("button", { name: "🔁 Ещё раз" }).click();
    await eventually(async () => (await page.locator(".toast").textContent().catch(() => "")) === "🎬 Новое видео уже в работе, следите за ним в чате.", 10_000, "the first answer");
    await page.getByRole("button", { name: "🔁 Ещё раз" }).click();
    await eventually(async () => (await page.locator(".toast").textContent().catch(() => "")) === "⏳ Слишком много нажатий подряд. Подождите немного и попробуйте снова.", 10_000, "wait a moment");
    expect(await s.app.db.models.Generation.countDocuments({ variation_of: gen.short_id })).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });
});
