import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createConfig } from "../../src/config.js";
import { startApp, type RunningApp } from "../../src/app.js";
import { createLogger } from "../../src/logger.js";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import type { FakeMiniMax } from "../support/fake-minimax.js";
import { startFakes, testEnv } from "../support/app.js";
import { killAllChildren, startChildApp } from "../support/child-app.js";
import { botMessage, expectOneVideo, photoFrom, user } from "../support/scenario.js";

/**
 * Where mongodb-memory-server is sent for its MongoDB: a loopback port that counts the connections
 * it gets and drops them, so every download fails (as offline) and each attempt is seen.
 */
async function downloadTrap() {
  let attempts = 0;
  const server: Server = createServer((socket) => {
    attempts++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    attempts: () => attempts,
    /** mongodb-memory-server's variables for an offline machine with no MongoDB binary cached in `dir`. */
    env: (dir: string) => ({
      MONGOMS_DOWNLOAD_URL: `https://127.0.0.1:${port}/mongodb-linux-x86_64-debian12-8.2.6.tgz`,
      MONGOMS_DOWNLOAD_DIR: dir,
      MONGOMS_MAX_RETRIES: "1",
    }),
  };
}

/** The app as `npm start` runs it with no MONGODB_URI: its own database, data in MONGODB_DATA_DIR, engine chosen by itself. */
async function startWithEmbeddedDatabase(tg: FakeTelegram, mm: FakeMiniMax, dataDir: string) {
  const env = await testEnv({ mode: "polling", telegram: tg, minimax: mm, mongoUri: "" });
  const config = createConfig({ ...env, MONGODB_URI: "", MONGODB_DATA_DIR: dataDir, MONGODB_EMBEDDED_ENGINE: "auto" });
  const logs: string[] = [];
  const logger = createLogger({ level: "info", secrets: [config.botToken, config.minimaxApiKey], sink: { write: (l) => void logs.push(l) } });
  const app = await startApp(config, { logger });
  return Object.assign(app, { logs });
}

const engineLines = (logs: string[]) => logs.map((l) => JSON.parse(l) as { msg: string }).filter((e) => e.msg.startsWith("embedded database:"));

describe("the embedded database, offline", () => {
  let tg: FakeTelegram;
  let mm: FakeMiniMax;
  let root: string;
  let trap: Awaited<ReturnType<typeof downloadTrap>>;
  let app: RunningApp | undefined;
  const saved = { ...process.env };

  beforeAll(async () => {
    ({ telegram: tg, minimax: mm } = await startFakes());
    root = await mkdtemp(path.join(tmpdir(), "astrolus-data-"));
    trap = await downloadTrap();
    Object.assign(process.env, trap.env(path.join(root, "mongodb-binaries")));
    delete process.env.MONGOMS_SYSTEM_BINARY;
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    process.env = saved;
    await app?.stop();
    await killAllChildren();
    await tg?.close();
    await mm?.close();
    trap?.server.close();
    await rm(root, { recursive: true, force: true });
  });

  it("falls back to FerretDB once, then reopens its data with FerretDB without a download attempt, generations kept", async () => {
    const dataDir = path.join(root, "app-data");
    const seller = user(7101);
    const video = makeMp4({ payloadBytes: 50_000 });
    const consoleWarn = vi.spyOn(console, "warn");
    const first = await startWithEmbeddedDatabase(tg, mm, dataDir);
    app = first;
    expect(trap.attempts()).toBeGreaterThan(0); // a new folder: MongoDB was tried first
    expect(engineLines(first.logs).map((e) => e.msg)).toEqual([expect.stringMatching(/^embedded database: FerretDB \(SQLite backend\), because no MongoDB binary could be had/)]);
    mm.autoComplete({ afterMs: 50, video: () => video });
    await tg.deliver(photoFrom(tg, seller, "the kettle steams on a kitchen table").update);
    await expectOneVideo(tg, seller.chatId, video, 200);
    const [gen] = await first.db.models.Generation.find();
    expect(gen?.phase).toBe("delivered");
    await first.stop();
    app = undefined;
    // Its files are where the operator said, in the engine's own folder.
    expect((await readdir(path.join(dataDir, "ferretdb"))).length).toBeGreaterThan(0);

    const attemptsBefore = trap.attempts();
    const second = await startWithEmbeddedDatabase(tg, mm, dataDir);
    app = second;
    expect(trap.attempts()).toBe(attemptsBefore);
    expect(engineLines(second.logs).map((e) => e.msg)).toEqual([expect.stringMatching(/because .*app-data holds FerretDB's data \(no MongoDB download tried\)/)]);
    await tg.deliver(tg.textUpdate({ ...seller, text: "/status" }));
    const status = await botMessage(tg, seller.chatId, /🗂/);
    expect(status.text).toContain(gen!.short_id);
    expect(await second.db.models.Generation.countDocuments({ short_id: gen!.short_id, phase: "delivered" })).toBe(1);
    expect(tg.videosSent(seller.chatId)).toHaveLength(1);
    // mongodb-memory-server prints its DownloadError stack with console.warn: never here.
    expect(consoleWarn).not.toHaveBeenCalled();
    await second.stop();
    app = undefined;
  });

  it("an offline first `npm start` prints one line about its database (engine, why, cost) and no stack trace", async () => {
    const child = await startChildApp({
      mode: "polling",
      telegram: tg,
      minimax: mm,
      mongoUri: "",
      env: { MONGODB_URI: "", MONGODB_DATA_DIR: path.join(root, "child-data"), MONGODB_EMBEDDED_ENGINE: "auto", LOG_LEVEL: "info", ...trap.env(path.join(root, "child-binaries")) },
      startTimeoutMs: 60_000,
    });
    const lines = child.lines.map((l) => l.text);
    expect(lines.filter((l) => /^\s+at /.test(l) || /DownloadError|MongoMemoryServer Instance failed/.test(l))).toEqual([]);
    const about = child.lines.filter((l) => /embedded database:/.test(String(l.entry?.msg ?? l.text)));
    expect(about).toHaveLength(1);
    expect(about[0]!.entry?.msg).toMatch(/^embedded database: FerretDB \(SQLite backend\), because no MongoDB binary could be had \(its download failed: .+\); costs: .+/);
    await child.dispose();
  }, 90_000);
});
