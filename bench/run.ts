/**
 * npm run bench: measures what tests must not time.
 *  1. Streaming: one large video from MiniMax's CDN into sendVideo; the app's peak memory shows
 *     whether the video is ever held whole.
 *  2. Throughput: many users at once through the whole flow; latency from photo to video.
 * The app runs as its own process (node --import tsx src/main.ts) against the loopback fakes;
 * its peak RSS is read from /proc. MongoDB: MONGODB_BENCH_URI, else MONGODB_TEST_URI, else the
 * embedded database the tests use (src/db/embedded).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { makeMp4 } from "../test/support/fake-telegram.js";
import { startEmbeddedDatabase } from "../src/db/embedded/index.js";
import { eventually, startFakes, testEnv } from "../test/support/app.js";
import { photoFrom, sha256, user } from "../test/support/scenario.js";

const root = resolve(import.meta.dirname, "..");
const MB = 1024 * 1024;
const VIDEO_MB = Number(process.env.BENCH_VIDEO_MB ?? 200);
const USERS = Number(process.env.BENCH_USERS ?? 40);

async function mongoUri(): Promise<{ uri: string; stop: () => Promise<void> }> {
  const given = process.env.MONGODB_BENCH_URI ?? process.env.MONGODB_TEST_URI;
  if (given) return { uri: given, stop: async () => {} };
  const log = (obj: object, msg: string) => console.error(`[bench database] ${msg} ${JSON.stringify(obj)}`);
  return startEmbeddedDatabase({ dataDir: undefined, logger: { info: log, warn: log } });
}

/** Peak and current resident memory of a process, in MB (Linux). */
function memoryOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { peakMb: kb("VmHWM"), rssMb: kb("VmRSS") };
}

async function startAppProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: root,
    env: { ...process.env, ...env, LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  await eventually(async () => (await fetch(`http://127.0.0.1:${env.PORT}/healthz`).catch(() => undefined))?.ok, 30_000, "the app");
  return child;
}

async function stopProcess(child: ChildProcess) {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

async function streamingBench(uri: string) {
  // A self-hosted Bot API server takes up to 2000 MB; so does this fake, here.
  const fakes = await startFakes({ telegram: { maxUploadBytes: 2000 * MB } });
  const { telegram: tg, minimax: mm } = fakes;
  const env = await testEnv({ mode: "polling", telegram: tg, minimax: mm, mongoUri: `${uri.replace(/\/?$/, "/")}bench_stream_${randomBytes(3).toString("hex")}`, env: { TELEGRAM_UPLOAD_LIMIT_MB: "2000", LEASE_MS: "30000" } });
  const app = await startAppProcess(env);
  try {
    const idle = memoryOf(app.pid!);
    const video = makeMp4({ payloadBytes: VIDEO_MB * MB });
    await tg.deliver(photoFrom(tg, user(9001), "a large video streams through").update);
    const task = await eventually(() => [...mm.tasks.values()][0], 30_000, "the task");
    const started = performance.now();
    await mm.succeed(task.taskId, video);
    const [sent] = await eventually(() => tg.videosSent(9001).length > 0 && tg.videosSent(9001), 600_000, "the large video");
    const seconds = (performance.now() - started) / 1000;
    const mem = memoryOf(app.pid!);
    if (sent!.sha256 !== sha256(video)) throw new Error("delivered video differs from MiniMax's");
    return {
      videoMb: +(video.length / MB).toFixed(1),
      deliverySeconds: +seconds.toFixed(2),
      throughputMbPerS: +(video.length / MB / seconds).toFixed(1),
      appRssIdleMb: +idle.rssMb.toFixed(0),
      appPeakRssMb: +mem.peakMb.toFixed(0),
    };
  } finally {
    await stopProcess(app);
    await fakes.close();
  }
}

async function throughputBench(uri: string) {
  const fakes = await startFakes({ minimax: { rpm: 1000, rpmWindowMs: 1000 } });
  const { telegram: tg, minimax: mm } = fakes;
  const env = await testEnv({
    mode: "webhook",
    telegram: tg,
    minimax: mm,
    mongoUri: `${uri.replace(/\/?$/, "/")}bench_flow_${randomBytes(3).toString("hex")}`,
    env: { MINIMAX_RPM: "1000", MINIMAX_RPM_WINDOW_MS: "1000", MAX_ACTIVE_PER_USER: "5" },
  });
  const app = await startAppProcess(env);
  try {
    mm.autoComplete({ afterMs: 100, video: () => makeMp4({ payloadBytes: 2 * MB }) });
    const users = Array.from({ length: USERS }, (_, i) => user(9100 + i));
    const sentAt = new Map<number, number>();
    const started = performance.now();
    await Promise.all(
      users.map(async (u) => {
        sentAt.set(u.chatId, performance.now());
        await tg.deliver(photoFrom(tg, u, `bench product ${u.chatId}`).update);
      }),
    );
    const latencies: number[] = [];
    await eventually(() => {
      for (const u of users) {
        if (latencies.length >= users.length) break;
        const v = tg.videosSent(u.chatId)[0];
        if (v && !(u as { done?: boolean }).done) {
          (u as { done?: boolean }).done = true;
          latencies.push(performance.now() - sentAt.get(u.chatId)!);
        }
      }
      return latencies.length === users.length;
    }, 300_000, "all videos");
    const total = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => +(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! / 1000).toFixed(2);
    return {
      users: USERS,
      videoMbEach: 2,
      totalSeconds: +total.toFixed(2),
      generationsPerSecond: +(USERS / total).toFixed(1),
      latencyP50s: pct(50),
      latencyP95s: pct(95),
      appPeakRssMb: +memoryOf(app.pid!).peakMb.toFixed(0),
      duplicateVideos: users.filter((u) => tg.videosSent(u.chatId).length !== 1).length,
    };
  } finally {
    mm.autoComplete(null);
    await stopProcess(app);
    await fakes.close();
  }
}

const db = await mongoUri();
try {
  console.log("streaming one large video (MiniMax CDN → app → Telegram):");
  console.table([await streamingBench(db.uri)]);
  console.log(`whole flow, ${USERS} users at once (webhook mode, fake MiniMax finishing in 100 ms):`);
  console.table([await throughputBench(db.uri)]);
} finally {
  await db.stop();
}
