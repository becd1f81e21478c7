/**
 * A self-hosted Bot API server in --local mode (the compose profile `local-bot-api`) answers getFile
 * with a path on its disk, shared with the bot, and serves no downloads: the photo must be read there.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import type { FakeMiniMax } from "../support/fake-minimax.js";
import { startFakes, startTestApp, type TestApp } from "../support/app.js";
import { testDatabaseUri } from "../support/mongo.js";
import { expectOneVideo, photoFrom, sha256, taskFor, user } from "../support/scenario.js";

describe("local Bot API server (file paths instead of downloads)", () => {
  let tg: FakeTelegram;
  let mm: FakeMiniMax;
  let app: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "astrolus-botapi-"));
    ({ telegram: tg, minimax: mm } = await startFakes({ telegram: { localDir: dir } }));
    app = await startTestApp({ mode: "webhook", telegram: tg, minimax: mm, mongoUri: testDatabaseUri("localbotapi"), env: { TELEGRAM_UPLOAD_LIMIT_MB: "2000" } });
  });
  afterAll(async () => {
    await app?.stop();
    await tg?.close();
    await mm?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the photo from the server's disk and delivers the video", async () => {
    const who = user(6101);
    const sent = photoFrom(tg, who, "a teapot spins on a marble table");
    await tg.deliver(sent.update);
    const task = await taskFor(mm, "a teapot spins on a marble table");
    expect(task.imageSha256).toBe(sha256(sent.bytes));
    expect(tg.fileDownloads).toEqual([]);

    const video = makeMp4({ payloadBytes: 300_000 });
    await mm.succeed(task.taskId, video);
    await expectOneVideo(tg, who.chatId, video);
    expect(tg.rejectedCalls).toEqual([]);
  });
});
