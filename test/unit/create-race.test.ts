/**
 * Two attempts finishing one admission (an update handled again from the inbox while its first
 * handling is still running, or Telegram's redelivery): only one may lift the generation's hold.
 * On FerretDB a late whole-document write of the other could land after the worker's claim and
 * undo it, and the generation would be claimed, and submitted, twice.
 */
import { expect, it } from "vitest";
import { generationSchema } from "../../src/db/models.js";
import { createConfig } from "../../src/config.js";
import { createGeneration, HELD } from "../../src/generations/create.js";
import { createLogger } from "../../src/logger.js";
import { useTwoInstances } from "../support/mongo.js";
import { eventually } from "../support/app.js";

/** Writes that lift a hold, as they reach the driver; the first one waits a while on the way. */
const lifts: unknown[] = [];
let slowFirstLift = true;
generationSchema.pre("updateOne", async function () {
  const update = this.getUpdate() as { $set?: { next_run_at?: Date } } | null;
  if (!update?.$set?.next_run_at || update.$set.next_run_at.getTime() === HELD.getTime()) return;
  lifts.push(this.getFilter());
  if (slowFirstLift) {
    slowFirstLift = false;
    await new Promise((r) => setTimeout(r, 400));
  }
});

const instances = useTwoInstances("createrace");

it("of two attempts at one request, one lifts the hold and answers; the other writes nothing to the generation", async () => {
  const config = createConfig({ BOT_TOKEN: "7012345678:AAFtest-token-0123456789abcdefghijk", MINIMAX_API_KEY: "test-key-123" });
  const logger = createLogger({ level: "silent", secrets: [] });
  const input = {
    chatId: 4242,
    userId: 4242,
    sourceMessageId: 7,
    locale: "en",
    prompt: "the vase turns",
    image: { file_id: "f1", file_unique_id: "u1", mime: "image/jpeg", width: 800, height: 800 },
  };
  const first = createGeneration({ config, models: instances[0]!, logger }, input);
  // The second starts once the first has stored the request, while it is still admitting it.
  await eventually(() => instances[1]!.Generation.exists({ chat_id: 4242 }), 5_000, "the stored request");
  const second = createGeneration({ config, models: instances[1]!, logger }, input);
  const results = await Promise.all([first, second]);
  expect(results.map((r) => r.kind).sort()).toEqual(["created", "duplicate"]);
  expect(lifts).toHaveLength(1);
  const gen = await instances[0]!.Generation.findOne({ chat_id: 4242 }).lean();
  expect(gen!.next_run_at.getTime()).toBeLessThan(HELD.getTime());
  expect(await instances[0]!.Ledger.countDocuments({ kind: "reserve" })).toBe(1);
});
