/**
 * Status messages against the real database (MONGODB_TEST_URI, FerretDB in CI): the progress
 * updater deletes the finished ones a day after their last edit, on its own timer, and keeps the
 * rest; FerretDB 1.24 has no TTL index to do it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase, type Database } from "../../src/db/connection.js";
import { createLogger } from "../../src/logger.js";
import { createProgressUpdater } from "../../src/generations/progress.js";
import type { LifecycleDeps } from "../../src/generations/deps.js";
import { eventually } from "../support/app.js";
import { testDatabaseUri } from "../support/mongo.js";

const logger = createLogger({ level: "silent", secrets: [] });
const HOUR = 3600_000;
let db: Database;

beforeAll(async () => {
  db = await connectDatabase({ uri: testDatabaseUri("progressprune"), dataDir: "", logger });
});
afterAll(async () => {
  await db?.close();
});

let message = 0;
function statusMessage(id: string, done: boolean, lastEditAgoMs: number) {
  message++;
  return db.models.StatusMessage.create({ _id: id, chat_id: 9500, message_id: message, shown: "[]", done, progress_edited_at: new Date(Date.now() - lastEditAgoMs) });
}
const ids = async () => (await db.models.StatusMessage.find().select("_id").lean()).map((d) => d._id).sort();

describe("pruning status messages", () => {
  it("deletes a finished one a day after its last edit; a recent finished one and an unfinished one stay; at most once an hour", async () => {
    await statusMessage("olddone", true, 48 * HOUR);
    await statusMessage("newdone", true, 23 * HOUR);
    await statusMessage("oldopen", false, 48 * HOUR);
    // An edit interval longer than the unfinished one's age: this test is about pruning, not editing.
    const updater = createProgressUpdater({ models: db.models, logger } as Pick<LifecycleDeps, "models" | "config" | "telegram" | "t" | "logger">, 7 * 24 * HOUR);
    updater.start();
    try {
      await eventually(async () => !(await ids()).includes("olddone"), 10_000, "the old finished status message pruned");
      expect(await ids()).toEqual(["newdone", "oldopen"]);

      // The next prune waits an hour: one finished meanwhile outlives several ticks of the timer.
      await statusMessage("olddone2", true, 48 * HOUR);
      await new Promise((r) => setTimeout(r, 2_500));
      expect(await ids()).toEqual(["newdone", "olddone2", "oldopen"]);
    } finally {
      await updater.stop();
    }
  });
});
