/**
 * Many generations whose MiniMax tasks finish at the same moment: every video must arrive exactly
 * once; figures are generations per second and the latency from MiniMax's success to the video in
 * the chat. The reference is one generation finishing alone on the same app, just before.
 */
import { makeMp4 } from "../test/support/fake-telegram.js";
import { eventually, startFakes, testEnv } from "../test/support/app.js";
import { photoFrom, user } from "../test/support/scenario.js";
import { databaseFor, envNumber, percentile, round, sleep, startAppProcess, stopProcess } from "./support.js";
import { benchTimings } from "./round-trips.js";

export async function burstBench(mongoUri: string) {
  const n = envNumber("BENCH_BURST", 200);
  const videoKb = envNumber("BENCH_BURST_VIDEO_KB", 512);
  const fakes = await startFakes({ minimax: { rpm: 100_000, rpmWindowMs: 1000 } });
  const { telegram: tg, minimax: mm } = fakes;
  const env = await testEnv({
    mode: "webhook",
    telegram: tg,
    minimax: mm,
    mongoUri: databaseFor(mongoUri, "burst"),
    env: { ...benchTimings(), MINIMAX_RPM: String(Math.min(n, 100)), MINIMAX_RPM_WINDOW_MS: "1000", LOG_LEVEL: "warn" },
  });
  const app = await startAppProcess(env, fakes.telegram);
  const video = makeMp4({ payloadBytes: videoKb * 1024 });
  /** Finishes the given tasks at once; the ms from then until each chat's first video. */
  async function finishAndTime(chats: number[], taskIds: string[]): Promise<{ latencies: number[]; seconds: number }> {
    const seen = new Map<number, number>();
    const started = performance.now();
    await Promise.all(taskIds.map((id) => mm.succeed(id, video)));
    await eventually(
      () => {
        const now = performance.now();
        for (const v of tg.videosSent()) if (!seen.has(v.chatId)) seen.set(v.chatId, now - started);
        return chats.every((c) => seen.has(c));
      },
      600_000,
      "every video",
    );
    return { latencies: chats.map((c) => seen.get(c)!), seconds: Math.max(...seen.values()) / 1000 };
  }
  try {
    // The reference: one generation alone.
    const solo = user(6000);
    await tg.deliver(photoFrom(tg, solo, "alone").update);
    const [soloTask] = await mm.waitForTasks(1, 60_000);
    await sleep(500);
    const alone = await finishAndTime([solo.chatId], [soloTask!.taskId]);

    const users = Array.from({ length: n }, (_, i) => user(6001 + i));
    // Telegram retries an update its webhook did not take (the database may be busy under the burst).
    let redelivered = 0;
    await Promise.all(
      users.map(async (u) => {
        const { update } = photoFrom(tg, u, `burst ${u.chatId}`);
        for (let attempt = 0; (await tg.deliver(update))!.status !== 200; attempt++) {
          if (attempt > 20) throw new Error(`the webhook kept refusing the update of chat ${u.chatId}`);
          redelivered++;
          await sleep(500);
        }
      }),
    );
    const tasks = (await mm.waitForTasks(n + 1, 600_000)).filter((t) => t.taskId !== soloTask!.taskId);
    await sleep(1_000); // the app records the last submissions
    const burst = await finishAndTime(users.map((u) => u.chatId), tasks.map((t) => t.taskId));
    await sleep(2_000); // room for a duplicate to show up
    const counts = users.map((u) => tg.videosSent(u.chatId).length);
    return {
      generations: n,
      videoKb,
      allDeliveredOnce: counts.every((c) => c === 1),
      duplicates: counts.filter((c) => c > 1).length,
      seconds: round(burst.seconds),
      generationsPerSecond: round(n / burst.seconds, 1),
      p50Ms: round(percentile(burst.latencies, 50), 0),
      p99Ms: round(percentile(burst.latencies, 99), 0),
      aloneMs: round(alone.latencies[0]!, 0),
      updatesRedelivered: redelivered,
    };
  } finally {
    await stopProcess(app);
    await fakes.close();
  }
}
