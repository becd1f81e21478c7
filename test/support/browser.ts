/**
 * A real headless Chromium for the studio's browser tests: the system's own (Debian's `chromium`,
 * or CHROME_PATH), driven by playwright-core, which downloads no browser. Started with the flags
 * this machine's closed network needs and a fresh profile each time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { findChromium } from "./chromium.js";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error("no Chromium: set CHROME_PATH or install one (apt-get install chromium)");
  const profile = mkdtempSync(join(tmpdir(), "astrolus-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * What a Telegram client does for the page: it takes the Mini App's events (the SDK posts them to
 * window.TelegramWebviewProxy, as in the mobile apps), records them in window.__telegram.events,
 * and answers the ones that expect an answer. Installed before any of the page's scripts run.
 */
export function telegramClientScript(theme: Record<string, string>) {
  return `(() => {
    const theme = ${JSON.stringify(theme)};
    const events = [];
    window.__telegram = { events };
    const answer = (type, data) => setTimeout(() => window.Telegram.WebView.receiveEvent(type, data), 0);
    window.TelegramWebviewProxy = {
      postEvent(type, data) {
        const payload = data ? JSON.parse(data) : undefined;
        events.push({ type, payload });
        if (type === "web_app_request_theme") answer("theme_changed", { theme_params: theme });
        if (type === "web_app_request_viewport") answer("viewport_changed", { height: innerHeight, width: innerWidth, is_expanded: true, is_state_stable: true });
        if (type === "web_app_request_file_download") answer("file_download_requested", { status: "downloading" });
      },
    };
  })();`;
}
