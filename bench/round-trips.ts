/**
 * MongoDB round trips per generation: every request message the app sends to MongoDB is counted
 * by a proxy between them, while N generations run at once through the whole flow (webhook mode,
 * callbacks on, production timings). The app's idle traffic (sweeps, driver heartbeats), counted
 * over a quiet stretch before, is subtracted at its rate.
 */
import mongoose from "mongoose";
import { makeMp4 } from "../test/support/fake-telegram.js";
import { eventually, startFakes, testEnv } from "../test/support/app.js";
import { photoFrom, user } from "../test/support/scenario.js";
import { databaseFor, envNumber, round, sleep, startAppProcess, stopProcess } from "./support.js";
import { startWireMeter } from "./wire-meter.js";

/** The defaults of src/config.ts: the bench counts what production costs. */
export const PRODUCTION_TIMINGS = { SWEEP_INTERVAL_MS: "5000", MINIMAX_POLL_INTERVAL_MS: "15000", LEASE_MS: "60000", RETRY_BASE_MS: "2000" };
/** BENCH_TIMINGS=test: the short timings of the end-to-end tests (sweep every 100 ms, poll every 300 ms). */
export const benchTimings = (): Record<string, string> => (process.env.BENCH_TIMINGS === "test" ? {} : PRODUCTION_TIMINGS);

export async function roundTripBench(mongoUri: string) {
  const n = envNumber("BENCH_ROUNDTRIP_GENERATIONS", 10);
  const idleMs = envNumber("BENCH_IDLE_MS", 15_000);
  const dbUri = databaseFor(mongoUri, "roundtrips");
  const target = new URL(mongoUri);
  const meter = await startWireMeter({ host: target.hostname, port: Number(target.port || 27017) }, "mongo");
  const fakes = await startFakes({ minimax: { rpm: 1000, rpmWindowMs: 60_000 } });
  const { telegram: tg, minimax: mm } = fakes;
  const env = await testEnv({
    mode: "webhook",
    telegram: tg,
    minimax: mm,
    mongoUri: meter.uriFor(dbUri),
    env: { ...benchTimings(), MINIMAX_RPM: String(n), MINIMAX_RPM_WINDOW_MS: "60000", LOG_LEVEL: "warn" },
  });
  const app = await startAppProcess(env, fakes.telegram);
  // Our own view of the database, around the meter.
  const observer = await mongoose.createConnection(dbUri).asPromise();
  const snapshot = () => ({ at: performance.now(), messages: meter.messages, commands: new Map(meter.commands) });
  try {
    await sleep(2_000); // start-up writes (indexes, webhook) are not a generation's
    const idleStart = snapshot();
    await sleep(idleMs);
    const idleEnd = snapshot();
    const idleRate = (idleEnd.messages - idleStart.messages) / (idleEnd.at - idleStart.at);

    mm.autoComplete({ afterMs: 100, video: () => makeMp4({ payloadBytes: 256 * 1024 }) });
    const users = Array.from({ length: n }, (_, i) => user(9500 + i));
    const runStart = snapshot();
    await Promise.all(users.map((u) => tg.deliver(photoFrom(tg, u, `round trip ${u.chatId}`).update)));
    const generations = observer.collection("generations");
    // Done: every generation delivered and its lease handed back.
    await eventually(
      async () => (await generations.countDocuments({ phase: "delivered", lease_owner: { $exists: false } })) === n,
      300_000,
      "every generation delivered",
    );
    const delivered = snapshot();
    // A generation's cost includes its status message, which is last edited ("done") up to
    // PROGRESS_EDIT_INTERVAL_MS after the previous edit: counted until every one is final, so the
    // figure does not depend on whether the run happened to outlast an edit interval.
    const statusMessages = observer.collection("status_messages");
    await eventually(async () => (await statusMessages.countDocuments({ done: false })) === 0, 60_000, "every status message final");
    const runEnd = snapshot();
    const perGenerationBetween = (from: ReturnType<typeof snapshot>, to: ReturnType<typeof snapshot>) =>
      (to.messages - from.messages - idleRate * (to.at - from.at)) / n;
    const perGeneration = perGenerationBetween(runStart, runEnd);
    const byCommand: Record<string, number> = {};
    for (const [key, count] of runEnd.commands) {
      const during = count - (runStart.commands.get(key) ?? 0);
      const idle = ((idleEnd.commands.get(key) ?? 0) - (idleStart.commands.get(key) ?? 0)) * ((runEnd.at - runStart.at) / (idleEnd.at - idleStart.at));
      const per = (during - idle) / n;
      if (Math.abs(per) >= 0.05) byCommand[key] = round(per, 1);
    }
    const videos = users.map((u) => tg.videosSent(u.chatId).length);
    if (videos.some((v) => v !== 1)) throw new Error(`videos per chat: ${videos.join(",")}`);
    return {
      generations: n,
      timings: process.env.BENCH_TIMINGS === "test" ? "test" : "production",
      roundTripsPerGeneration: round(perGeneration, 1),
      untilDeliveredPerGeneration: round(perGenerationBetween(runStart, delivered), 1),
      idleMessagesPerSecond: round(idleRate * 1000, 2),
      runSeconds: round((delivered.at - runStart.at) / 1000, 1),
      byCommand: Object.fromEntries(Object.entries(byCommand).sort((a, b) => b[1] - a[1])),
    };
  } finally {
    mm.autoComplete(null);
    await observer.close();
    await stopProcess(app);
    await fakes.close();
    await meter.close();
  }
}
