import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_BOT_TOKEN } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { TEST_WEBAPP_URL } from "../support/studio.js";
import { launchChromium, telegramClientScript, type Browser } from "../support/browser.js";
import { launchDataFor, launchUrl, LIGHT_THEME } from "../support/webapp.js";

const RESULTS = new URL("../../test-results/", import.meta.url);
const ADMIN = 7970;
const SELLER = 7971;

/**
 * Issue 29 in a real headless Chromium: the operator's Dashboard tab, drawn for an admin from a
 * bundle of its own, absent (and never downloaded) for a seller, whose Balance tab shows the
 * invitation link and the plan on offer. Each page's weight is what the browser fetched.
 */
describe("the dashboard in a real browser", () => {
  const s = useTestApp("dashboard-browser", { mode: "polling", env: { WEBAPP_URL: TEST_WEBAPP_URL, ADMIN_USER_IDS: String(ADMIN), PLANS: "30:450" } });
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true });
    browser = await launchChromium();
    // Something to draw: a purchase today.
    await s.tg.deliver(s.tg.successfulPaymentUpdate({ chatId: SELLER, invoicePayload: "credits:10:50", totalAmount: 50 }));
    await s.tg.waitFor(() => s.tg.messages(SELLER).find((m) => /Thank you/.test(m.text ?? "")), 10_000, "credited");
  });
  afterAll(() => browser?.close());

  /** Opens the studio as `id`; the page, its problems, and the bytes of every asset it fetched. */
  async function open(id: number) {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    const problems: string[] = [];
    const assets = new Map<string, number>();
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (err) => problems.push(err.message));
    page.on("response", async (res) => {
      const path = new URL(res.url()).pathname;
      if (path.startsWith("/app/assets/") || path === "/app") assets.set(path, (await res.body().catch(() => Buffer.alloc(0))).length);
    });
    await page.addInitScript(telegramClientScript(LIGHT_THEME));
    await page.goto(launchUrl(`${s.app.url}/app`, launchDataFor({ id, first_name: "Test", language_code: "en" }, TEST_BOT_TOKEN)));
    await page.locator("nav.tabs").waitFor();
    return { page, problems, assets };
  }
  const weight = (assets: Map<string, number>) => [...assets.values()].reduce((a, b) => a + b, 0);

  it("a seller sees no Dashboard tab and never downloads its code; the Balance tab shows the invitation and the plan", async () => {
    const { page, problems, assets } = await open(SELLER);
    expect(await page.locator("nav.tabs [data-tab]").evaluateAll((tabs) => tabs.map((t) => t.getAttribute("data-tab")))).toEqual(["gallery", "jobs", "balance", "settings"]);
    await page.locator("nav.tabs [data-tab=balance]").click();
    await page.locator("[data-invite]").waitFor();
    expect(await page.locator("[data-invite]").getAttribute("data-invite")).toMatch(/^https:\/\/t\.me\/astrolus_test_bot\?start=ref_/);
    expect(await page.locator("[data-plan='30']").textContent()).toBe("📅 Subscribe for 450 ⭐");
    expect([...assets.keys()].some((p) => p.includes("dashboard-"))).toBe(false);
    console.log(`a seller's page: ${weight(assets)} B fetched (${[...assets.keys()].join(", ")})`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("an admin's Dashboard tab loads its bundle and draws the charts", async () => {
    const { page, problems, assets } = await open(ADMIN);
    const before = weight(assets);
    await page.locator("nav.tabs [data-tab=dashboard]").click();
    await page.locator(".dashboard [data-chart=credits] canvas").waitFor();
    expect(await page.locator(".dashboard .uplot").count()).toBe(3);
    expect(await page.locator(".dashboard [data-chart]").evaluateAll((c) => c.map((e) => e.getAttribute("data-chart")))).toEqual(["videos", "stars", "credits", "failures", "median", "queue"]);
    expect(await page.locator(".dashboard [data-chart=stars] h2").textContent()).toBe("Telegram Stars per day: received and refunded");
    // The canvas has something drawn on it: not every pixel is the same.
    const drawn = await page.locator(".dashboard [data-chart=stars] canvas").evaluate((c) => {
      const canvas = c as HTMLCanvasElement;
      const pixels = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      return new Set(Array.from({ length: pixels.length / 4 }, (_, i) => pixels[i * 4 + 3])).size > 1;
    });
    expect(drawn).toBe(true);
    expect([...assets.keys()].filter((p) => p.includes("dashboard-"))).toHaveLength(2);
    console.log(`an admin's page: ${before} B, then ${weight(assets) - before} B more for the dashboard`);
    await page.screenshot({ path: new URL("studio-dashboard.png", RESULTS).pathname, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
