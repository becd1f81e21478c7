/**
 * Fitting a photo to a format. Two figures: the time to fit a 12-megapixel photo, beside the time
 * to decode it and encode it again unchanged (same JPEG settings) in the same process; and the
 * app's RSS growth while it fits ten such photos at once (ten users with 9:16 chosen send one each),
 * with what is still held 30 s later.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import mongoose from "mongoose";
import { fitPhoto, FIT_DEFAULTS } from "../src/images/fit.js";
import { createModels } from "../src/db/models.js";
import { eventually, startFakes, testEnv } from "../test/support/app.js";
import { user } from "../test/support/scenario.js";
import { databaseFor, MB, memoryOf, resetPeak, round, sleep, startAppProcess, stopProcess } from "./support.js";

const WIDTH = 4000;
const HEIGHT = 3000;

/** A photo-like 12 MP JPEG: soft noise and shapes (it compresses like a photo, not like a flat colour). */
export async function twelveMegapixelPhoto(seed: number): Promise<Buffer> {
  const shapes = Array.from({ length: 12 }, (_, i) => ({
    input: { create: { width: 300 + ((seed * 97 + i * 131) % 900), height: 200 + ((seed * 61 + i * 89) % 700), channels: 3 as const, background: { r: (i * 53 + seed) % 256, g: (i * 101) % 256, b: (i * 29 + seed * 7) % 256 } } },
    left: (i * 331 + seed * 17) % (WIDTH - 1200),
    top: (i * 211 + seed * 13) % (HEIGHT - 900),
  }));
  const noisy = await sharp({ create: { width: WIDTH, height: HEIGHT, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } })
    .composite(shapes)
    .raw()
    .toBuffer();
  return sharp(noisy, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).blur(1.2).jpeg({ quality: 90 }).toBuffer();
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(work: () => Promise<unknown>) {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export interface FitTimeResult {
  photoMb: number;
  fitMs: number;
  reencodeMs: number;
  ratio: number;
  fitRounds: number[];
  reencodeRounds: number[];
}

/** Fit (to 9:16) and the unchanged re-encode, alternated, five rounds each; medians. */
export async function fitTimeBench(rounds = 5): Promise<FitTimeResult> {
  const photo = await twelveMegapixelPhoto(1);
  const reencode = () => sharp(photo).jpeg({ quality: FIT_DEFAULTS.quality, chromaSubsampling: "4:4:4", mozjpeg: false }).toBuffer();
  await fitPhoto(photo, "9:16"); // warm-up: libvips loads its operations on first use
  await reencode();
  const fitRounds: number[] = [];
  const reencodeRounds: number[] = [];
  for (let i = 0; i < rounds; i++) {
    fitRounds.push(round(await timed(() => fitPhoto(photo, "9:16")), 0));
    reencodeRounds.push(round(await timed(reencode), 0));
  }
  const fitMs = median(fitRounds);
  const reencodeMs = median(reencodeRounds);
  return { photoMb: round(photo.length / MB, 1), fitMs, reencodeMs, ratio: round(fitMs / reencodeMs), fitRounds, reencodeRounds };
}

export interface FitMemoryResult {
  format: string;
  photos: number;
  rssBeforeMb: number;
  peakGrowthMb: number;
  /** RSS 30 s after the last create left, over the RSS before. */
  leftAfter30sMb: number;
  seconds: number;
}

/**
 * Ten users with `format` chosen each send a 12 MP photo at once; the app fits all ten for MiniMax
 * ("original": sends them as they are, the reference: downloads, data URLs and requests without fitting).
 */
export async function fitMemoryBench(mongoUri: string, format: "9:16" | "original", photos = 10): Promise<FitMemoryResult> {
  const fakes = await startFakes();
  const { telegram: tg, minimax: mm } = fakes;
  const dbUri = databaseFor(mongoUri, "fit");
  const env = await testEnv({ mode: "webhook", telegram: tg, minimax: mm, mongoUri: dbUri, env: { MINIMAX_RPM: "100", LEASE_MS: "30000", FREE_CREDITS: "10" } });
  const conn = await mongoose.createConnection(dbUri).asPromise();
  const models = createModels(conn);
  // BENCH_MEMORY_PROBE=1: where the growth goes, and what is held 30 s later, by part (bench/memory-probe.ts).
  const probeFile = process.env.BENCH_MEMORY_PROBE === "1" ? join(tmpdir(), `astrolus-probe-${process.pid}-fit-${format.replace(":", "x")}.json`) : undefined;
  if (probeFile) env.BENCH_MEMORY_PROBE = probeFile;
  const app = await startAppProcess(env, tg, probeFile ? ["./bench/memory-probe.ts"] : []);
  const pid = app.pid!;
  try {
    const senders = Array.from({ length: photos + 1 }, (_, i) => user(8300 + i));
    await models.User.insertMany(senders.map((u) => ({ _id: u.userId, settings: { format } })));
    const photoOf = async (i: number) => {
      const bytes = await twelveMegapixelPhoto(i + 2);
      return tg.photoUpdate({ ...senders[i]!, photo: tg.addPhoto(bytes, WIDTH, HEIGHT), caption: `fit bench ${i}` });
    };
    // Warm-up: one photo first, so libvips' first use is not counted as growth.
    await tg.deliver(await photoOf(photos));
    await eventually(() => mm.createRequests.some((r) => r.body.prompt === `fit bench ${photos}` && r.outcome === "accepted"), 60_000, "the warm-up create");
    const updates = await Promise.all(Array.from({ length: photos }, (_, i) => photoOf(i)));
    await sleep(2_000); // let the app settle before its baseline is read
    resetPeak(pid);
    const before = memoryOf(pid);
    if (probeFile) app.kill("SIGUSR2");
    const started = performance.now();
    await Promise.all(updates.map((u) => tg.deliver(u)));
    await eventually(
      () => Array.from({ length: photos }, (_, i) => `fit bench ${i}`).every((p) => mm.createRequests.some((r) => r.body.prompt === p && r.outcome === "accepted")),
      120_000,
      "the ten creates",
    );
    const seconds = (performance.now() - started) / 1000;
    const peak = memoryOf(pid).peakMb;
    for (const r of mm.createRequests) {
      const [width, height] = format === "original" ? [WIDTH, HEIGHT] : [1080, 1920];
      if (r.body.prompt?.toString().startsWith("fit bench") && (r.imageWidth !== width || r.imageHeight !== height)) {
        throw new Error(`a create carried a ${r.imageWidth}×${r.imageHeight} image, not ${width}×${height}`);
      }
    }
    await sleep(30_000);
    const after = memoryOf(pid);
    if (probeFile) {
      app.kill("SIGUSR2");
      await eventually(() => existsSync(probeFile), 10_000, "the memory probe's report");
      console.error(`memory probe, ${format}: ${readFileSync(probeFile, "utf8")}`);
      rmSync(probeFile);
    }
    return {
      format,
      photos,
      rssBeforeMb: round(before.rssMb, 0),
      peakGrowthMb: round(peak - before.rssMb, 1),
      leftAfter30sMb: round(after.rssMb - before.rssMb, 1),
      seconds: round(seconds),
    };
  } finally {
    await stopProcess(app);
    await conn.close();
    await fakes.close();
  }
}
