import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConfig } from "../../src/config.js";
import { startApp, type RunningApp } from "../../src/app.js";
import { createLogger } from "../../src/logger.js";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import type { FakeMiniMax } from "../support/fake-minimax.js";
import { startFakes, testEnv } from "../support/app.js";
import { botMessage, expectOneVideo, photoFrom, user } from "../support/scenario.js";

/** The app as `npm start` runs it with no MONGODB_URI: its own FerretDB, data in MONGODB_DATA_DIR. */
async function startWithEmbeddedFerretDb(tg: FakeTelegram, mm: FakeMiniMax, dataDir: string) {
  const env = await testEnv({ mode: "polling", telegram: tg, minimax: mm, mongoUri: "" });
  const config = createConfig({ ...env, MONGODB_URI: "", MONGODB_DATA_DIR: dataDir, MONGODB_EMBEDDED_ENGINE: "ferretdb" });
  const logs: string[] = [];
  const logger = createLogger({ level: "info", secrets: [config.botToken, config.minimaxApiKey], sink: { write: (l) => void logs.push(l) } });
  const app = await startApp(config, { logger });
  return Object.assign(app, { logs });
}

describe("the embedded FerretDB engine", () => {
  let tg: FakeTelegram;
  let mm: FakeMiniMax;
  let dataDir: string;
  let app: RunningApp | undefined;

  beforeAll(async () => {
    ({ telegram: tg, minimax: mm } = await startFakes());
    dataDir = await mkdtemp(path.join(tmpdir(), "astrolus-data-"));
  });
  afterAll(async () => {
    await app?.stop();
    await tg?.close();
    await mm?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps the generations across a restart of the app", async () => {
    const seller = user(7101);
    const video = makeMp4({ payloadBytes: 50_000 });
    const first = await startWithEmbeddedFerretDb(tg, mm, dataDir);
    app = first;
    expect(first.logs.some((l) => l.includes("embedded database: FerretDB"))).toBe(true);
    mm.autoComplete({ afterMs: 50, video: () => video });
    await tg.deliver(photoFrom(tg, seller, "the kettle steams on a kitchen table").update);
    await expectOneVideo(tg, seller.chatId, video, 200);
    const [gen] = await first.db.models.Generation.find();
    expect(gen?.phase).toBe("delivered");
    await first.stop();
    app = undefined;
    // Its files are where the operator said, in the engine's own folder.
    expect((await readdir(path.join(dataDir, "ferretdb"))).length).toBeGreaterThan(0);

    app = await startWithEmbeddedFerretDb(tg, mm, dataDir);
    await tg.deliver(tg.textUpdate({ ...seller, text: "/status" }));
    const status = await botMessage(tg, seller.chatId, /🗂/);
    expect(status.text).toContain(gen!.short_id);
    expect(await app.db.models.Generation.countDocuments({ short_id: gen!.short_id, phase: "delivered" })).toBe(1);
    expect(tg.videosSent(seller.chatId)).toHaveLength(1);
  });
});
