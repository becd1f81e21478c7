import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakes, startTestApp, eventually, type TestApp } from "../support/app.js";
import { startMongoProxy, type MongoProxy } from "../support/mongo-proxy.js";
import { killAllChildren, startChildApp } from "../support/child-app.js";
import { testDatabaseUri } from "../support/mongo.js";

const root = resolve(import.meta.dirname, "../..");

/** Runs src/main.ts with exactly `env` and collects what it says and how it ends. */
function runMain(env: Record<string, string>) {
  return new Promise<{ code: number | null; stderr: string; stdout: string }>((done) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("exit", (code) => done({ code, stderr, stdout }));
  });
}

describe("configuration at start", () => {
  it("a missing BOT_TOKEN stops the process with exit 1 and a message naming it", async () => {
    const { code, stderr } = await runMain({ MINIMAX_API_KEY: "sk-test-key-123" });
    expect(code).toBe(1);
    expect(stderr).toContain("BOT_TOKEN is required");
    expect(stderr).not.toContain("sk-test-key-123");
  });

  it("an invalid DEFAULT_RESOLUTION does the same, and every bad variable is named at once", async () => {
    const { code, stderr } = await runMain({ BOT_TOKEN: "123456:ABCdefGHIjklMNOpqrSTUvwx", DEFAULT_RESOLUTION: "4K" });
    expect(code).toBe(1);
    expect(stderr).toMatch(/DEFAULT_RESOLUTION/);
    expect(stderr).toMatch(/MINIMAX_API_KEY is required/);
    expect(stderr).not.toContain("ABCdefGHIjklMNOpqrSTUvwx");
  });

  it("a PRICES entry for a model that is not enabled stops the start with a message naming the model", async () => {
    const { code, stderr } = await runMain({
      BOT_TOKEN: "123456:ABCdefGHIjklMNOpqrSTUvwx",
      MINIMAX_API_KEY: "sk-test-key-123",
      MINIMAX_MODELS: "MiniMax-Hailuo-2.3,MiniMax-Hailuo-2.3-Fast",
      MINIMAX_MODEL: "MiniMax-Hailuo-2.3",
      PRICES: "6s-768P:1,6s-1080P:2,10s-768P:2,MiniMax-Hailuo-02:6s-512P=1",
    });
    expect(code).toBe(1);
    expect(stderr).toContain("PRICES: MiniMax-Hailuo-02 is not enabled (MINIMAX_MODELS: MiniMax-Hailuo-2.3, MiniMax-Hailuo-2.3-Fast)");
  });

  it("a broken templates file stops the start with a message naming the template and the field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "astrolus-start-"));
    const file = join(dir, "templates.yaml");
    writeFileSync(file, readFileSync(join(root, "templates.yaml"), "utf8").replace('format: "9:16"', "format: vertical"));
    const { code, stderr } = await runMain({ BOT_TOKEN: "123456:ABCdefGHIjklMNOpqrSTUvwx", MINIMAX_API_KEY: "sk-test-key-123", TEMPLATES_FILE: file });
    expect(code).toBe(1);
    expect(stderr).toContain(`TEMPLATES_FILE ${file}: template "levitation": format must be one of original, 3:4, 9:16, 1:1, 16:9`);
  });

  it("an unreachable database at start is a clear message and exit 1", async () => {
    const { code, stdout } = await runMain({
      BOT_TOKEN: "123456:ABCdefGHIjklMNOpqrSTUvwx",
      MINIMAX_API_KEY: "sk-test-key-123",
      MONGODB_URI: "mongodb://127.0.0.1:1/astrolus?serverSelectionTimeoutMS=500",
      PORT: "0",
    });
    expect(code).toBe(1);
    expect(stdout).toMatch(/Could not connect to MongoDB/);
  }, 30_000);
});

describe("/healthz follows the database", () => {
  let fakes: Awaited<ReturnType<typeof startFakes>>;
  let proxy: MongoProxy;
  let app: TestApp;
  beforeAll(async () => {
    fakes = await startFakes();
    const uri = testDatabaseUri("health");
    proxy = await startMongoProxy(uri);
    app = await startTestApp({ mode: "webhook", telegram: fakes.telegram, minimax: fakes.minimax, mongoUri: proxy.uriFor(uri) });
  });
  afterAll(async () => {
    proxy?.restore();
    await app?.stop();
    await proxy?.close();
    await fakes?.close();
  });

  it("answers 503 while MongoDB is away and 200 again once the driver has reconnected", async () => {
    const health = async () => (await fetch(`${app.url}/healthz`)).status;
    expect(await health()).toBe(200);
    proxy.sever();
    await eventually(async () => (await health()) === 503, 10_000, "503 while the database is away");
    const body = await (await fetch(`${app.url}/healthz`)).json();
    expect(body).toEqual({ ok: false, database: "unreachable" });
    proxy.restore();
    await eventually(async () => (await health()) === 200, 20_000, "200 after reconnecting");
  }, 40_000);

  it("answers within a second while MongoDB is away (a load balancer's patience), not after the 5 s operation timeout", async () => {
    proxy.sever();
    try {
      // The first look may come before the database watch noticed: that one is bounded by its own ping.
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const res = await fetch(`${app.url}/healthz`);
        const tookMs = performance.now() - started;
        expect(res.status).toBe(503);
        expect(tookMs).toBeLessThan(1_000);
      }
    } finally {
      proxy.restore();
    }
    await eventually(async () => (await fetch(`${app.url}/healthz`)).status === 200, 20_000, "200 after reconnecting");
  }, 40_000);
});

describe("two processes long-polling with the same token", () => {
  afterAll(killAllChildren);

  it("the one Telegram cuts off with 409 exits 1 instead of running deaf; the other keeps serving", async () => {
    const fakes = await startFakes();
    try {
      const mongoUri = testDatabaseUri("conflict");
      const first = await startChildApp({ mode: "polling", telegram: fakes.telegram, minimax: fakes.minimax, mongoUri });
      const second = await startChildApp({ mode: "polling", telegram: fakes.telegram, minimax: fakes.minimax, mongoUri });
      // Telegram ends the older long poll with "409 Conflict: terminated by other getUpdates request".
      const loser = await Promise.race([first.exited.then(() => first), second.exited.then(() => second)]);
      const winner = loser === first ? second : first;
      expect((await loser.exited).code).toBe(1);
      expect(loser.logsMatching(/^long polling stopped$/)).toHaveLength(1);
      expect(winner.alive).toBe(true);
      expect((await fetch(`${winner.url}/healthz`)).status).toBe(200);
    } finally {
      await killAllChildren();
      await fakes.close();
    }
  }, 40_000);
});
