import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { eventually, TEST_BOT_TOKEN } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { makeProductPng } from "../support/images.js";
import { sha256, user, type TestUser } from "../support/scenario.js";
import { SAMPLE_MP4, TEST_WEBAPP_URL } from "../support/studio.js";
import { launchChromium, telegramClientScript, type Browser } from "../support/browser.js";
import { DARK_THEME, launchDataFor, launchUrl, LIGHT_THEME } from "../support/webapp.js";

const RESULTS = new URL("../../test-results/", import.meta.url);

/**
 * The studio page in a real headless Chromium, opened the way a Telegram client opens it: the page
 * URL with the launch parameters in its fragment, signed with the test bot's token, and a stand-in
 * for the client's side of the Mini App bridge (test/support/browser.ts).
 */
describe("studio in a real browser", () => {
  const s = useTestApp("studio-browser", {
    mode: "polling",
    env: { WEBAPP_URL: TEST_WEBAPP_URL, MINIMAX_RPM: "100", MAX_ACTIVE_PER_USER: "10", FREE_CREDITS: "20" },
  });
  let browser: Browser;
  const alice = user(9601, "en");
  const bob = user(9602, "ru");
  const asAlice = { id: alice.userId, first_name: "Alice", language_code: "en" };
  const asBob = { id: bob.userId, first_name: "Боб", language_code: "ru" };

  /** A product photo sent as an image file, with `caption`; resolves once its video is delivered. */
  async function delivered(who: TestUser, caption: string, colour: [number, number, number]) {
    const png = makeProductPng(600, 800, colour);
    await s.tg.deliver(s.tg.documentUpdate({ ...who, document: s.tg.addDocument(png, { fileName: "product.png", mimeType: "image/png" }), caption }));
    return eventually(() => s.app.db.models.Generation.findOne({ user_id: who.userId, user_prompt: caption, phase: "delivered" }).lean(), 20_000, `"${caption}" delivered`);
  }

  /** Opens the studio as `who`, in a fresh page of the shared browser, and waits for the gallery. */
  async function openStudio(who: typeof asAlice, opts: { theme?: Record<string, string>; version?: string; query?: string } = {}) {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    const problems: string[] = [];
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (err) => problems.push(err.message));
    await page.addInitScript(telegramClientScript(opts.theme ?? LIGHT_THEME));
    await page.addInitScript(() => document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP: ${e.violatedDirective} ${e.blockedURI}`)));
    const initData = launchDataFor(who, TEST_BOT_TOKEN);
    await page.goto(launchUrl(`${s.app.url}/app${opts.query ?? ""}`, initData, { theme: opts.theme ?? LIGHT_THEME, ...(opts.version ? { version: opts.version } : {}) }));
    return { page, problems };
  }
  const telegramEvents = (page: Page) => page.evaluate(() => (window as unknown as { __telegram: { events: Array<{ type: string; payload?: Record<string, unknown> }> } }).__telegram.events);

  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true });
    s.mm.autoComplete({ afterMs: 30, video: () => SAMPLE_MP4 });
    browser = await launchChromium();
    await delivered(alice, "the perfume bottle turns slowly, light glides over the glass", [196, 72, 96]);
    await delivered(alice, "the green bottle stands still as mist drifts past", [52, 140, 98]);
    await delivered(alice, "the blue flask rises from the table, soft studio light", [48, 104, 196]);
    await delivered(bob, "бутылка медленно вращается на подиуме", [230, 160, 40]);
  });
  afterAll(() => browser?.close());

  it("the gallery shows that user's videos, posters and all, and not another user's; light and dark screenshots", async () => {
    for (const [name, theme] of [["light", LIGHT_THEME], ["dark", DARK_THEME]] as const) {
      const { page, problems } = await openStudio(asAlice, { theme });
      await page.locator("article.card").nth(2).waitFor();
      const prompts = await page.locator("article.card .prompt").allTextContents();
      expect(prompts).toEqual([
        "the blue flask rises from the table, soft studio light",
        "the green bottle stands still as mist drifts past",
        "the perfume bottle turns slowly, light glides over the glass",
      ]);
      expect(await page.content()).not.toContain("бутылка");
      // Every poster is the seller's photo, decoded.
      await eventually(() => page.locator("article.card img").evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth === 600)), 10_000, "posters loaded");
      // Telegram's colours are the page's colours.
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).toBe(name === "light" ? "rgb(239, 239, 243)" : "rgb(21, 30, 39)");
      await page.screenshot({ path: new URL(`studio-gallery-${name}.png`, RESULTS).pathname });
      expect(problems).toEqual([]);
      await page.close();
    }
    const { page } = await openStudio(asBob);
    await page.locator("article.card").first().waitFor();
    expect(await page.locator("article.card .prompt").allTextContents()).toEqual(["бутылка медленно вращается на подиуме"]);
    expect(await page.locator("nav.tabs").textContent()).toContain("Видео");
    await page.close();
  });

  it("a video plays inline, and Download goes through Telegram's downloadFile (or a download link in an older client)", async () => {
    const { page, problems } = await openStudio(asAlice);
    await page.locator("article.card .poster").first().click();
    const video = page.locator("section.video video");
    await video.waitFor();
    await eventually(() => video.evaluate((v) => (v as HTMLVideoElement).readyState >= 2), 15_000, "the video's first frame");
    expect(await video.evaluate((v) => (v as HTMLVideoElement).videoWidth)).toBe(180);

    await page.getByRole("button", { name: "⬇️ Download" }).click();
    const request = await eventually(async () => (await telegramEvents(page)).find((e) => e.type === "web_app_request_file_download"), 5_000, "downloadFile");
    const shortId = (await page.locator("section.video video").getAttribute("src"))!.match(/videos\/(\w+)\/file/)![1]!;
    expect(request.payload).toMatchObject({ file_name: `astrolus-${shortId}.mp4` });
    // The Telegram client fetches that URL itself: the whole video, as an attachment.
    const url = String(request.payload!.url);
    expect(url.startsWith(`${s.app.url}/app/api/videos/${shortId}/file?`)).toBe(true);
    const file = await fetch(url);
    expect(file.headers.get("content-disposition")).toBe(`attachment; filename="astrolus-${shortId}.mp4"`);
    expect(sha256(Buffer.from(await file.arrayBuffer()))).toBe(sha256(SAMPLE_MP4));
    await page.getByText("Telegram is saving the video to your device.").waitFor();
    expect(problems).toEqual([]);
    await page.close();

    // A client older than Bot API 8.0 has no downloadFile: a plain link with `download`.
    const old = await openStudio(asAlice, { version: "7.10" });
    await old.page.locator("article.card .poster").first().click();
    const link = old.page.getByRole("link", { name: "⬇️ Download" });
    expect(await link.getAttribute("download")).toBe(`astrolus-${shortId}.mp4`);
    const [download] = await Promise.all([old.page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toBe(`astrolus-${shortId}.mp4`);
    expect(sha256(Buffer.from(await (await fetch(new URL(String(await link.getAttribute("href")), s.app.url))).arrayBuffer()))).toBe(sha256(SAMPLE_MP4));
    await old.page.close();
  });

  it("🔁 Again creates one generation, seen by MiniMax, and the page groups the variant with its photo; the Studio button opens the page at a video", async () => {
    const source = await s.app.db.models.Generation.findOne({ user_id: alice.userId, user_prompt: /green bottle/ }).lean();
    const { page, problems } = await openStudio(asAlice, { query: `?video=${source!.short_id}` });
    // Opened at that video, as from the Studio button under it.
    await page.locator("section.video video").waitFor();
    expect(await page.locator("section.video .prompt").textContent()).toBe("the green bottle stands still as mist drifts past");
    const tasksBefore = s.mm.tasks.size;
    await page.getByRole("button", { name: "🔁 Again" }).click();
    await page.locator(".toast").waitFor();
    expect(await page.locator(".toast").textContent()).toBe("🎬 A new video is on its way; follow it in the chat.");
    await eventually(() => s.mm.tasks.size === tasksBefore + 1, 10_000, "one new MiniMax task");
    const again = await eventually(() => s.app.db.models.Generation.findOne({ variation_of: source!.short_id, phase: "delivered" }).lean(), 20_000, "the new video delivered");
    await new Promise((r) => setTimeout(r, 500));
    expect(s.mm.tasks.size).toBe(tasksBefore + 1);
    expect([...s.mm.tasks.values()].filter((t) => t.prompt === "the green bottle stands still as mist drifts past")).toHaveLength(2);

    // Back in the gallery (loaded afresh), both videos of the green bottle's photo share one card.
    await page.getByRole("button", { name: "⬅️ Back" }).click();
    const card = page.locator("article.card", { hasText: "green bottle" });
    await card.locator(".variants .chip").nth(1).waitFor();
    expect(await card.locator(".variants .chip").evaluateAll((chips) => chips.map((c) => (c as HTMLElement).dataset.video))).toEqual([again.short_id, source!.short_id]);
    expect(await page.locator("article.card").count()).toBe(3);
    await page.locator(".toast").waitFor({ state: "detached" });
    await page.screenshot({ path: new URL("studio-gallery-variants-light.png", RESULTS).pathname });
    expect(problems).toEqual([]);
    await page.close();
    const dark = await openStudio(asAlice, { theme: DARK_THEME });
    await dark.page.locator("article.card .variants .chip").nth(1).waitFor();
    await eventually(() => dark.page.locator("article.card img").evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0)), 10_000, "posters loaded");
    await dark.page.screenshot({ path: new URL("studio-gallery-variants-dark.png", RESULTS).pathname });
    await dark.page.close();
  });

  it("📐 9:16 on the video screen makes one MiniMax task in that shape; the other formats carry the chat's names, and 🎲 is offered", async () => {
    const prompt = "the blue flask rises from the table, soft studio light";
    const source = await s.app.db.models.Generation.findOne({ user_id: alice.userId, user_prompt: prompt }).lean();
    const { page, problems } = await openStudio(asAlice, { query: `?video=${source!.short_id}` });
    await page.locator("section.video video").waitFor();
    expect(await page.locator("section.video .formats button").allTextContents()).toEqual(["3:4 · Wildberries/Ozon", "9:16 · Reels/TikTok/Shorts", "1:1 · feeds", "16:9 · Amazon/YouTube"]);
    await page.getByRole("button", { name: "🎲 3 variants" }).waitFor();
    const creates = () => s.mm.createRequests.filter((r) => r.body.prompt === prompt && r.outcome === "accepted");
    expect(creates()).toHaveLength(1);
    await page.screenshot({ path: new URL("studio-video-light.png", RESULTS).pathname });

    await page.getByRole("button", { name: "9:16 · Reels/TikTok/Shorts" }).click();
    await page.locator(".toast").waitFor();
    expect(await page.locator(".toast").textContent()).toBe("📐 9:16 · Reels/TikTok/Shorts: the new video is on its way; follow it in the chat.");
    const create = await eventually(() => creates()[1], 10_000, "the 9:16 create");
    expect(create.imageHeight! / create.imageWidth!).toBeCloseTo(16 / 9, 2);
    await new Promise((r) => setTimeout(r, 500)); // room for a second task, should one be made
    expect(creates()).toHaveLength(2);
    expect(await s.app.db.models.Generation.find({ variation_of: source!.short_id }).lean()).toMatchObject([{ format: "9:16" }]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a pack opens Telegram's invoice with a link from createInvoiceLink; once paid, the balance follows", async () => {
    const { page, problems } = await openStudio(asBob);
    await page.locator("nav.tabs [data-tab=balance]").click();
    const summary = page.locator(".summary");
    await summary.waitFor();
    const before = Number(await summary.getAttribute("data-balance"));
    await page.locator("[data-pack='10']").click();
    const opened = await eventually(async () => (await telegramEvents(page)).find((e) => e.type === "web_app_open_invoice"), 5_000, "openInvoice");
    const link = s.tg.invoiceLinks.at(-1)!;
    expect(opened.payload).toEqual({ slug: link.slug });
    expect(link).toMatchObject({ payload: "credits:10:50", total_amount: 50, currency: "XTR", title: "10 кредитов" });

    // The user pays in Telegram's sheet: the bot credits it from successful_payment, then the sheet closes.
    await s.tg.pay({ ...bob, invoice: link });
    await page.evaluate((slug) => (window as unknown as { Telegram: { WebView: { receiveEvent: (t: string, d: unknown) => void } } }).Telegram.WebView.receiveEvent("invoice_closed", { slug, status: "paid" }), link.slug);
    await page.getByText("Оплата получена, баланс обновлён.").waitFor();
    await eventually(async () => Number(await summary.getAttribute("data-balance")) === before + 10, 10_000, "the balance shown");
    expect(await page.locator(".movements li").first().textContent()).toContain("+10");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("settings change what /settings shows, and jobs show what is in progress", async () => {
    const { page, problems } = await openStudio(asBob);
    await page.locator("nav.tabs [data-tab=settings]").click();
    await page.getByRole("button", { name: "⏱ 10 с" }).click();
    await page.getByText("✅ Сохранено").waitFor();
    await eventually(async () => (await s.app.db.models.User.findById(bob.userId).lean())?.settings?.duration === 10, 5_000, "10 s saved");
    expect(await page.getByRole("button", { name: "⏱ 10 с" }).getAttribute("aria-pressed")).toBe("true");
    // The price follows the settings, as /settings' text does.
    await page.getByText("Видео с этими настройками стоит 2 кредита.").waitFor();
    await page.getByRole("button", { name: "9:16 · Reels/TikTok/Shorts" }).click();
    await eventually(async () => (await s.app.db.models.User.findById(bob.userId).lean())?.settings?.format === "9:16", 5_000, "9:16 saved");
    await page.locator("nav.tabs [data-tab=jobs]").click();
    await page.getByText("Задач в работе нет", { exact: false }).or(page.locator("[data-job]").first()).waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  it("without launch data (a plain browser) the page says where to open it; with expired launch data, to open it again", async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${s.app.url}/app`);
    await page.getByText("Open the studio from the bot's menu button in Telegram. · Откройте студию кнопкой меню бота в Telegram.").waitFor();
    await page.close();
    const yesterday = launchDataFor(asAlice, TEST_BOT_TOKEN, Math.floor(Date.now() / 1000) - 2 * 86_400);
    const stale = await browser.context.newPage();
    stale.setDefaultTimeout(10_000);
    await stale.addInitScript(telegramClientScript(LIGHT_THEME));
    await stale.goto(launchUrl(`${s.app.url}/app`, yesterday));
    await stale.getByText("The studio has been open too long.", { exact: false }).waitFor();
    expect(await stale.locator("article.card").count()).toBe(0);
    await stale.close();
  });
});
