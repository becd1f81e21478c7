/**
 * GET /metrics: the Prometheus text format, the bearer token, and the numbers after real
 * generations through the fakes, with two instances sharing one database: counters count each
 * instance's own work (their sum is the truth), gauges read from MongoDB agree on every instance.
 */
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import type { FakeMiniMax } from "../support/fake-minimax.js";
import { eventually, startFakes, startTestApp, type TestApp } from "../support/app.js";
import { testDatabaseUri } from "../support/mongo.js";
import { botMessage, expectOneVideo, photoFrom, taskFor, user } from "../support/scenario.js";

const TOKEN = "metrics-token-0123456789abcdef";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

/**
 * Parses the Prometheus text exposition format (version 0.0.4) strictly: every line must be a
 * HELP, a TYPE or a sample of a declared family, or the parse fails.
 */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  const sampleLine = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
  const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)",?/gy;
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.trimEnd().split("\n")) {
    if (line === "") continue;
    let m;
    if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) {
      expect(helps.has(m[1]!), `one HELP for ${m[1]}`).toBe(false);
      helps.add(m[1]!);
      continue;
    }
    if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) {
      expect(types.has(m[1]!), `one TYPE for ${m[1]}`).toBe(false);
      types.set(m[1]!, m[2]!);
      continue;
    }
    m = sampleLine.exec(line);
    expect(m, `a valid sample line: ${line}`).not.toBeNull();
    const [, name, rawLabels = "", rawValue] = m!;
    const labels: Record<string, string> = {};
    labelPair.lastIndex = 0;
    let consumed = 0;
    for (let pair; (pair = labelPair.exec(rawLabels)); consumed = labelPair.lastIndex) labels[pair[1]!] = pair[2]!;
    expect(consumed, `labels of ${line}`).toBe(rawLabels.length);
    // Prometheus reads values with Go's ParseFloat, which takes NaN in any case; prom-client writes "Nan"
    // for a summary without samples yet (the event-loop lag right after start).
    const value = rawValue === "+Inf" ? Infinity : rawValue === "-Inf" ? -Infinity : /^nan$/i.test(rawValue!) ? NaN : Number(rawValue);
    expect(Number.isNaN(value) && !/^nan$/i.test(rawValue!), `numeric value in ${line}`).toBe(false);
    const family = [name!, name!.replace(/_(bucket|sum|count|total|created)$/, "")].find((n) => types.has(n));
    expect(family, `${name} belongs to a declared family`).toBeDefined();
    samples.push({ name: name!, labels, value });
  }
  return { types, samples };
}

/** Sum of the samples named `name` whose labels include `labels`. */
function total(expositions: Exposition[], name: string, labels: Record<string, string> = {}) {
  return expositions
    .flatMap((e) => e.samples)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

let tg: FakeTelegram;
let mm: FakeMiniMax;
let apps: TestApp[] = [];

async function scrape(app: TestApp, authorization?: string) {
  const res = await request(`${app.url}/metrics`, { headers: authorization ? { authorization } : {} });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}
const scrapeAll = async () => Promise.all(apps.map(async (a) => parseExposition((await scrape(a, `Bearer ${TOKEN}`)).text)));

beforeAll(async () => {
  ({ telegram: tg, minimax: mm } = await startFakes());
  const mongoUri = testDatabaseUri("metrics");
  for (let i = 0; i < 2; i++) {
    apps.push(await startTestApp({ mode: "webhook", telegram: tg, minimax: mm, mongoUri, env: { METRICS_TOKEN: TOKEN, MINIMAX_MODELS: "MiniMax-Hailuo-02,MiniMax-H3" } }));
  }
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  apps = [];
  await tg?.close();
  await mm?.close();
});

describe("GET /metrics", () => {
  it("asks for the bearer token: 401 without it or with a wrong one", async () => {
    const app = apps[0]!;
    for (const auth of [undefined, "Bearer wrong", `Bearer ${TOKEN}x`, `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}`, TOKEN]) {
      const res = await scrape(app, auth);
      expect(res.status, String(auth)).toBe(401);
      expect(res.headers["www-authenticate"]).toBe('Bearer realm="metrics"');
      expect(JSON.parse(res.text)).toEqual({ ok: false, error: "Unauthorized" });
    }
    const ok = await scrape(app, `Bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4; charset=utf-8$/);
  });

  it("is in the Prometheus text format, with process metrics and every Astrolus family declared", async () => {
    const [e] = await scrapeAll();
    expect(e!.types.get("process_cpu_user_seconds_total")).toBe("counter");
    expect(e!.types.get("process_resident_memory_bytes")).toBe("gauge");
    expect(e!.types.get("nodejs_eventloop_lag_seconds")).toBe("gauge");
    expect(Object.fromEntries([...e!.types].filter(([n]) => n.startsWith("astrolus_")))).toEqual({
      astrolus_generations: "gauge",
      astrolus_generations_total: "counter",
      astrolus_queue_depth: "gauge",
      astrolus_generation_transitions_total: "counter",
      astrolus_minimax_request_duration_seconds: "histogram",
      astrolus_rate_slot_wait_seconds: "histogram",
      astrolus_success_to_delivery_seconds: "histogram",
      astrolus_video_bytes_relayed_total: "counter",
      astrolus_stars_reconciled_total: "counter",
      astrolus_telegram_api_errors_total: "counter",
    });
    expect(total([e!], "astrolus_queue_depth")).toBe(0);
  });

  it("after a delivered and a failed generation, the counters add up over both instances and the gauges agree", async () => {
    const [alice, bob] = [user(7301), user(7302)];
    // One refused create (retryable) and one failed Telegram call on the way.
    mm.failNextCreate({ code: 1002, msg: "rate limit" });
    tg.failNext("sendChatAction", { error_code: 400, description: "Bad Request: chat not found" });

    const a = photoFrom(tg, alice, "a red sneaker turns on a podium");
    await tg.deliver(a.update);
    const taskA = await taskFor(mm, "a red sneaker turns on a podium");
    const video = makeMp4({ payloadBytes: 250_000 });
    await mm.succeed(taskA.taskId, video);
    await expectOneVideo(tg, alice.chatId, video);

    // Bob's videos are made by MiniMax-H3, on the v2 API.
    await apps[0]!.db.models.User.updateOne({ _id: bob.userId }, { $set: { settings: { model: "MiniMax-H3", duration: 5, resolution: "768P" } } }, { upsert: true });
    const b = photoFrom(tg, bob, "a lamp glows on a desk");
    await tg.deliver(b.update);
    const taskB = await taskFor(mm, "a lamp glows on a desk");
    await mm.fail(taskB.taskId, 1027);
    await botMessage(tg, bob.chatId, /./);

    const e = await eventually(async () => {
      const all = await scrapeAll();
      return total(all, "astrolus_generation_transitions_total", { phase: "failed" }) === 1 && all;
    }, 10_000, "both generations finished in the counters");

    // Each instance reports what MongoDB holds, the same on both.
    for (const one of e) {
      const byPhase = Object.fromEntries(one.samples.filter((s) => s.name === "astrolus_generations").map((s) => [s.labels.phase, s.value]));
      expect(byPhase).toEqual({ queued: 0, submitting: 0, submitted: 0, delivering: 0, notifying: 0, delivered: 1, failed: 1 });
      expect(total([one], "astrolus_queue_depth")).toBe(0);
    }

    // Phase changes: counted once, by whichever instance made them.
    const t = (labels: Record<string, string>) => total(e, "astrolus_generation_transitions_total", labels);
    expect(t({ phase: "queued", outcome: "requeued" })).toBe(1); // the refused create
    expect(t({ phase: "submitted", outcome: "ok" })).toBe(2);
    expect(t({ phase: "delivering", outcome: "ok" })).toBe(1);
    expect(t({ phase: "delivered", outcome: "video" })).toBe(1);
    expect(t({ phase: "notifying", outcome: "sensitive_output" })).toBe(1);
    expect(t({ phase: "failed", outcome: "ok" })).toBe(1);

    // MiniMax requests by API, model, endpoint and code, with latency.
    const hailuo = { api: "v1", model: "MiniMax-Hailuo-02" };
    const h3 = { api: "v2", model: "MiniMax-H3" };
    const req = (labels: Record<string, string>, endpoint: string, code: string, suffix = "count") =>
      total(e, `astrolus_minimax_request_duration_seconds_${suffix}`, { ...labels, endpoint, code });
    expect(req(hailuo, "v1/video_generation", "1002")).toBe(1);
    expect(req(hailuo, "v1/video_generation", "0")).toBe(1);
    expect(req(hailuo, "v1/video_generation", "0", "sum")).toBeGreaterThan(0);
    expect(req(hailuo, "v1/query/video_generation", "0")).toBeGreaterThanOrEqual(1);
    expect(req(hailuo, "v1/files/retrieve", "0")).toBe(1);
    expect(req(h3, "v2/video_generation", "0")).toBe(1);
    // The failed task is a successful query (its failure is in the task); nothing of Bob's went to v1.
    expect(req(h3, "v2/query/video_generation/{id}", "0")).toBeGreaterThanOrEqual(1);
    expect(total(e, "astrolus_minimax_request_duration_seconds_count", { model: "MiniMax-H3", api: "v1" })).toBe(0);
    expect(total(e, "astrolus_minimax_request_duration_seconds_count", { model: "MiniMax-Hailuo-02", api: "v2" })).toBe(0);

    // Delivery: one video, its bytes, the time since MiniMax's success.
    expect(total(e, "astrolus_success_to_delivery_seconds_count", { via: "upload" })).toBe(1);
    expect(total(e, "astrolus_video_bytes_relayed_total")).toBe(video.length);
    // Every submission attempt waited for (and got) a rate slot.
    expect(total(e, "astrolus_rate_slot_wait_seconds_count")).toBe(3);

    // Telegram errors by method and code.
    expect(total(e, "astrolus_telegram_api_errors_total", { method: "sendChatAction", code: "400" })).toBe(1);
    expect(total(e, "astrolus_telegram_api_errors_total")).toBe(1);

    // Histogram buckets are cumulative and end at +Inf = _count.
    for (const one of e) {
      const buckets = one.samples.filter((s) => s.name === "astrolus_success_to_delivery_seconds_bucket" && s.labels.via === "upload");
      if (!buckets.length) continue;
      const values = buckets.map((s) => s.value);
      expect(values).toEqual([...values].sort((x, y) => x - y));
      expect(buckets.at(-1)!.labels.le).toBe("+Inf");
      expect(values.at(-1)).toBe(total([one], "astrolus_success_to_delivery_seconds_count", { via: "upload" }));
    }
    expect(tg.rejectedCalls).toEqual([]);
  });
});
