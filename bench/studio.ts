/**
 * The studio Mini App: its page's size, its time to the first gallery in a headless Chromium, and
 * the API's p99 for a gallery of BENCH_STUDIO_VIDEOS (200) videos beside /healthz's p99, both
 * asked the same way (BENCH_STUDIO_CONCURRENCY at a time, 1 by default), alternating, in the same
 * run. The app runs as its own process.
 */
import { randomBytes } from "node:crypto";
import { Types } from "mongoose";
import { startFakes, testEnv, TEST_BOT_TOKEN } from "../test/support/app.js";
import { openDatabaseView } from "../test/support/mongo.js";
import { makeProductPng } from "../test/support/images.js";
import { findChromium } from "../test/support/chromium.js";
import { launchChromium, telegramClientScript } from "../test/support/browser.js";
import { launchDataFor, launchUrl, LIGHT_THEME } from "../test/support/webapp.js";
import { SAMPLE_MP4 } from "../test/support/studio.js";
import { buildStudio } from "../studio/build.js";
import { newShortId } from "../src/generations/create.js";
import { databaseFor, envNumber, percentile, round, startAppProcess, stopProcess } from "./support.js";

const USER = 7_300_001;

/** `n` requests, `concurrency` at a time on kept-alive connections; their latencies in ms. */
async function latencies(url: string, headers: Record<string, string>, n: number, concurrency: number): Promise<number[]> {
  const out: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const started = performance.now();
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
        out.push(performance.now() - started);
      }
    }),
  );
  return out;
}

export async function studioBench(mongoUri: string) {
  const videos = envNumber("BENCH_STUDIO_VIDEOS", 200);
  const requests = envNumber("BENCH_STUDIO_REQUESTS", 300);
  const rounds = envNumber("BENCH_STUDIO_ROUNDS", 3);
  const loads = envNumber("BENCH_STUDIO_PAGE_LOADS", 5);
  const concurrency = envNumber("BENCH_STUDIO_CONCURRENCY", 1);
  const page = await buildStudio();

  const fakes = await startFakes();
  const database = databaseFor(mongoUri, "studio");
  const webappUrl = "https://studio.bench.test/app";
  const env = await testEnv({ mode: "webhook", telegram: fakes.telegram, minimax: fakes.minimax, mongoUri: database, env: { LOG_LEVEL: "warn", WEBAPP_URL: webappUrl } });
  const app = await startAppProcess(env, fakes.telegram);
  const base = `http://127.0.0.1:${env.PORT}`;
  const view = await openDatabaseView(database);
  try {
    // A seller with `videos` delivered videos, as the lifecycle leaves them (written directly: this measures reading).
    const photo = fakes.telegram.addPhoto(makeProductPng(600, 800, [48, 104, 196]), 600, 800).at(-1)!;
    const video = fakes.telegram.addVideo(SAMPLE_MP4);
    const now = Date.now();
    await view.models.Generation.collection.insertMany(
      Array.from({ length: videos }, (_, i) => ({
        _id: new Types.ObjectId(),
        short_id: newShortId(),
        chat_id: USER,
        user_id: USER,
        source_message_id: i + 1,
        locale: "en",
        prompt: `product video number ${i + 1}, soft studio light`,
        user_prompt: `product video number ${i + 1}, soft studio light`,
        model: "MiniMax-Hailuo-02",
        duration: 6,
        resolution: "768P",
        image: { file_id: photo.file_id, file_unique_id: `${photo.file_unique_id}${i % 40}`, mime: "image/jpeg", width: 600, height: 800 },
        phase: "delivered",
        minimax_status: "success",
        telegram_video_file_id: video.file_id,
        video_message_id: 10_000 + i,
        callback_token: randomBytes(16).toString("hex"),
        created_at: new Date(now - i * 60_000),
        updated_at: new Date(now - i * 60_000 + 90_000),
        completed_at: new Date(now - i * 60_000 + 90_000),
      })),
    );
    const initData = launchDataFor({ id: USER, first_name: "Bench", language_code: "en" }, TEST_BOT_TOKEN);
    const auth = { authorization: `tma ${initData}` };
    const gallery = `${base}/app/api/gallery`;
    const first = (await (await fetch(gallery, { headers: auth })).json()) as { items: unknown[] };
    if (first.items.length === 0) throw new Error("the bench's gallery is empty");
    // Warm-up: JIT, connections and the database's caches on both paths.
    await latencies(gallery, auth, 50, concurrency);
    await latencies(`${base}/healthz`, {}, 50, concurrency);
    const galleryP99: number[] = [];
    const healthP99: number[] = [];
    const galleryAll: number[] = [];
    const healthAll: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const health = await latencies(`${base}/healthz`, {}, requests, concurrency);
      const list = await latencies(gallery, auth, requests, concurrency);
      healthP99.push(percentile(health, 99));
      galleryP99.push(percentile(list, 99));
      healthAll.push(...health);
      galleryAll.push(...list);
    }
    // Walking the whole gallery, page by page, as infinite scroll does.
    const walkStarted = performance.now();
    let cursor: string | null = null;
    let seen = 0;
    do {
      const pageOf = (await (await fetch(`${gallery}${cursor ? `?cursor=${cursor}` : ""}`, { headers: auth })).json()) as { items: unknown[]; next: string | null };
      seen += pageOf.items.length;
      cursor = pageOf.next;
    } while (cursor);
    const walkMs = performance.now() - walkStarted;

    // Time to the first gallery: from navigation to the page's "gallery-rendered" mark, in a real browser.
    let render: { coldMs: number; warmMs: number; loads: number } | null = null;
    if (findChromium()) {
      const browser = await launchChromium();
      try {
        const times: number[] = [];
        for (let i = 0; i < loads; i++) {
          const tab = await browser.context.newPage();
          await tab.addInitScript(telegramClientScript(LIGHT_THEME));
          await tab.goto(launchUrl(`${base}/app`, initData, { theme: LIGHT_THEME }));
          await tab.waitForFunction(() => performance.getEntriesByName("gallery-rendered").length > 0, undefined, { timeout: 30_000 });
          times.push(await tab.evaluate(() => performance.getEntriesByName("gallery-rendered")[0]!.startTime));
          await tab.close();
        }
        render = { coldMs: round(times[0]!, 0), warmMs: round(percentile(times.slice(1), 50), 0), loads };
      } finally {
        await browser.close();
      }
    }
    const gallery99 = percentile(galleryP99, 50);
    const health99 = percentile(healthP99, 50);
    return {
      videos,
      requests,
      concurrency,
      rounds,
      jsBytes: page.sizes.js!.bytes,
      jsGzipBytes: page.sizes.js!.gzip,
      cssGzipBytes: page.sizes.css!.gzip,
      galleryP99Ms: round(gallery99, 1),
      healthzP99Ms: round(health99, 1),
      ratio: round(gallery99 / health99),
      galleryP50Ms: round(percentile(galleryAll, 50), 1),
      healthzP50Ms: round(percentile(healthAll, 50), 1),
      galleryRounds: galleryP99.map((v) => round(v, 1)),
      healthzRounds: healthP99.map((v) => round(v, 1)),
      walk: { pages: Math.ceil(seen / first.items.length), videos: seen, ms: round(walkMs, 0) },
      render,
    };
  } finally {
    await view.close();
    await stopProcess(app);
    await fakes.close();
  }
}
