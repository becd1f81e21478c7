/** The studio Mini App's API as a test drives it: launch data in, JSON and bytes out. */
import { readFileSync } from "node:fs";
import { TEST_BOT_TOKEN, eventually } from "./app.js";
import type { Suite } from "./suite.js";
import { launchDataFor, type LaunchUser } from "./webapp.js";
import { photoFrom, type TestUser } from "./scenario.js";

/** A real, playable MP4 (see test/fixtures/README.md). */
export const SAMPLE_MP4 = readFileSync(new URL("../fixtures/studio-sample.mp4", import.meta.url));

/** WEBAPP_URL for tests: https, as Telegram (and the fake Bot API) insists; the page itself is served by the app at /app. */
export const TEST_WEBAPP_URL = "https://studio.astrolus.test/app";

export interface StudioAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the studio API of `baseUrl` as `who` (signed with the test bot's token unless `initData` is given). */
export async function studioCall<T = Record<string, unknown>>(
  baseUrl: string,
  path: string,
  opts: { who?: LaunchUser; initData?: string | null; method?: string; body?: unknown } = {},
): Promise<StudioAnswer<T>> {
  const initData = opts.initData === undefined ? launchDataFor(opts.who!, TEST_BOT_TOKEN) : opts.initData;
  const res = await fetch(`${baseUrl}/app/api/${path}`, {
    method: opts.method ?? "GET",
    headers: {
      ...(initData !== null ? { authorization: `tma ${initData}` } : {}),
      ...(opts.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

/** Sends a photo with `caption` as `who` and waits until its video is delivered; the generation. */
export async function deliveredVideo(s: Suite, who: TestUser, caption: string) {
  const sent = photoFrom(s.tg, who, caption);
  await s.tg.deliver(sent.update);
  const gen = await eventually(
    () => s.app.db.models.Generation.findOne({ chat_id: who.chatId, user_prompt: caption, phase: "delivered" }).lean(),
    20_000,
    `"${caption}" delivered`,
  );
  return { ...sent, gen };
}
