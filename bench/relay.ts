/**
 * One video relayed from MiniMax's CDN into sendVideo. Figures: the time from MiniMax's success
 * to the video in the chat as a ratio to the transfer bound (size ÷ CDN rate), the app's peak RSS
 * growth over its RSS just before (the kernel's peak mark is reset there), and how far the
 * download ran ahead of the upload (CDN bytes sent minus bytes the Bot API server received,
 * sampled; socket buffers on loopback included), and the app's own share of that: the bytes it
 * has read from sockets but not yet written (/proc/<pid>/io).
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeMp4 } from "../test/support/fake-telegram.js";
import { eventually, startFakes, testEnv } from "../test/support/app.js";
import { photoFrom, sha256, user } from "../test/support/scenario.js";
import { cpuSecondsOf, databaseFor, ioOf, MB, memoryOf, resetPeak, round, sleep, startAppProcess, stopProcess } from "./support.js";
import { startWireMeter } from "./wire-meter.js";

export interface RelayResult {
  videoMb: number;
  cdnMbPerS: number | "unthrottled";
  seconds: number;
  boundSeconds: number | undefined;
  ratioToBound: number | undefined;
  /** The same download straight from the CDN by the bench, after the relay. */
  cdnAloneSeconds: number;
  /** CPU the app spent on the relay: unlike wall time, barely moved by other load on the machine. */
  appCpuSeconds: number;
  rssBeforeMb: number;
  peakGrowthMb: number;
  maxAheadKb: number;
  /** Bytes the app had read (from any socket) but not yet written, max: what it holds itself. */
  maxHeldKb: number;
}

export async function relayBench(mongoUri: string, videoMb: number, cdnMbPerS: number | undefined): Promise<RelayResult> {
  const fakes = await startFakes({ telegram: { maxUploadBytes: 2000 * MB } });
  const { telegram: tg, minimax: mm } = fakes;
  const apiRoot = new URL(tg.apiRoot);
  const uploads = await startWireMeter({ host: apiRoot.hostname, port: Number(apiRoot.port) }, "bytes");
  apiRoot.port = String(uploads.port);
  const env = await testEnv({
    mode: "webhook",
    telegram: tg,
    minimax: mm,
    mongoUri: databaseFor(mongoUri, "relay"),
    env: { TELEGRAM_API_ROOT: apiRoot.origin, TELEGRAM_UPLOAD_LIMIT_MB: "2000", LEASE_MS: "30000", LOG_LEVEL: "warn" },
  });
  // BENCH_MEMORY_PROBE=1: where the growth goes, by part (bench/memory-probe.ts inside the app).
  const probeFile = process.env.BENCH_MEMORY_PROBE === "1" ? join(tmpdir(), `astrolus-probe-${process.pid}-${videoMb}.json`) : undefined;
  if (probeFile) env.BENCH_MEMORY_PROBE = probeFile;
  const app = await startAppProcess(env, tg, probeFile ? ["./bench/memory-probe.ts"] : []);
  const pid = app.pid!;
  try {
    // Warm-up: one small video first, so code loaded on first use is not counted as growth.
    const warm = user(8001);
    await tg.deliver(photoFrom(tg, warm, "warm-up video").update);
    const [warmTask] = await mm.waitForTasks(1, 20_000);
    await mm.succeed(warmTask!.taskId, makeMp4({ payloadBytes: 1 * MB }));
    await eventually(() => tg.videosSent(warm.chatId).length > 0, 60_000, "the warm-up video");

    const who = user(8002);
    await tg.deliver(photoFrom(tg, who, "a large video streams through").update);
    const task = (await mm.waitForTasks(2, 120_000)).find((t) => t.taskId !== warmTask!.taskId)!;
    const video = makeMp4({ payloadBytes: Math.round(videoMb * MB) });
    mm.throttleDownloads(cdnMbPerS ? cdnMbPerS * MB : null);
    await sleep(1_000); // let the app settle before its baseline is read
    const downloadsBefore = mm.downloads.length;
    const uploadedBefore = uploads.clientBytes;
    resetPeak(pid);
    const before = memoryOf(pid);
    if (probeFile) app.kill("SIGUSR2");
    const ioBefore = ioOf(pid);
    const cpuBefore = cpuSecondsOf(pid);
    const started = performance.now();
    await mm.succeed(task.taskId, video);
    let maxAhead = 0;
    let maxHeld = 0;
    let seconds = 0;
    while (tg.videosSent(who.chatId).length === 0) {
      const download = mm.downloads.slice(downloadsBefore).find((d) => d.status === 200);
      if (download) maxAhead = Math.max(maxAhead, download.bytesSent - (uploads.clientBytes - uploadedBefore));
      const io = ioOf(pid);
      maxHeld = Math.max(maxHeld, io.read - ioBefore.read - (io.written - ioBefore.written));
      if ((seconds = (performance.now() - started) / 1000) > 600) throw new Error("the large video did not arrive in 10 minutes");
      await sleep(10);
    }
    seconds = (performance.now() - started) / 1000;
    const after = memoryOf(pid);
    const cpu = cpuSecondsOf(pid) - cpuBefore;
    if (probeFile) {
      app.kill("SIGUSR2");
      await eventually(() => existsSync(probeFile), 10_000, "the memory probe's report");
      console.error(`memory probe, ${videoMb} MB: ${readFileSync(probeFile, "utf8")}`);
      rmSync(probeFile);
    }
    const sent = tg.videosSent(who.chatId)[0]!;
    if (sent.sha256 !== sha256(video)) throw new Error("the delivered video differs from MiniMax's");
    const bound = cdnMbPerS ? video.length / MB / cdnMbPerS : undefined;
    // The CDN alone, as the bench reads it: what the fake's throttle achieves on this machine now.
    const retrieved = await fetch(`${mm.baseUrl}/v1/files/retrieve?file_id=${task.fileId}`, { headers: { authorization: `Bearer ${mm.apiKey}` } });
    const { file } = (await retrieved.json()) as { file: { download_url: string } };
    const rawStarted = performance.now();
    const raw = await fetch(file.download_url);
    for await (const chunk of raw.body!) void chunk;
    const rawSeconds = (performance.now() - rawStarted) / 1000;
    return {
      videoMb: round(video.length / MB, 1),
      cdnMbPerS: cdnMbPerS ?? "unthrottled",
      seconds: round(seconds),
      boundSeconds: bound && round(bound),
      ratioToBound: bound && round(seconds / bound),
      cdnAloneSeconds: round(rawSeconds),
      appCpuSeconds: round(cpu),
      rssBeforeMb: round(before.rssMb, 0),
      peakGrowthMb: round(after.peakMb - before.rssMb, 1),
      maxAheadKb: round(maxAhead / 1024, 0),
      maxHeldKb: round(maxHeld / 1024, 0),
    };
  } finally {
    await stopProcess(app);
    await uploads.close();
    await fakes.close();
  }
}
