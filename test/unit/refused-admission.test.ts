/**
 * Issue 25, item 2: two attempts share one request (a double tap, the chat and the studio at once,
 * a redelivery). The first is refused for want of credits; a payment lands; the second admits the
 * request. The refused attempt must not delete what the other admitted, or its reservation would
 * hold a credit and a MAX_ACTIVE_PER_USER slot that nothing ever releases.
 */
import { expect, it } from "vitest";
import { generationSchema, ledgerSchema } from "../../src/db/models.js";
import { createConfig } from "../../src/config.js";
import { createGeneration, HELD } from "../../src/generations/create.js";
import { createAccounts } from "../../src/credits/accounts.js";
import { createLogger } from "../../src/logger.js";
import { useTwoInstances } from "../support/mongo.js";

/**
 * The refused attempt's first write after its refusal (a delete, or whatever claims the right to
 * delete) waits until the test lets it go: the moment the other attempt admits the request.
 */
let paused: (() => void) | undefined;
let reached = false;
let release!: () => void;
const released = new Promise<void>((r) => (release = r));
const pauseOnce = async () => {
  if (reached) return;
  reached = true;
  paused?.();
  await released;
};
generationSchema.pre("deleteOne", pauseOnce);
ledgerSchema.pre("save", async function () {
  if (this.get("kind") === "void") await pauseOnce();
});

const instances = useTwoInstances("refusedadmit");

it("a refused attempt leaves alone the generation a concurrent attempt admitted: its one reservation keeps its generation", async () => {
  const config = createConfig({ BOT_TOKEN: "7012345678:AAFtest-token-0123456789abcdefghijk", MINIMAX_API_KEY: "test-key-123", FREE_CREDITS: "0" });
  const logger = createLogger({ level: "silent", secrets: [] });
  const input = {
    chatId: 4343,
    userId: 4343,
    sourceMessageId: 9,
    locale: "en",
    prompt: "the lamp glows",
    image: { file_id: "f1", file_unique_id: "u1", mime: "image/jpeg", width: 800, height: 800 },
  };
  const reachedDelete = new Promise<void>((r) => (paused = r));
  const refused = createGeneration({ config, models: instances[0]!, logger }, input);
  await reachedDelete;
  // The refusal is decided; now a payment lands and the other attempt comes.
  await createAccounts(instances[1]!, config).apply(4343, "grant:test:1", () => ({ kind: "grant", credits: 5 }));
  const admitted = await createGeneration({ config, models: instances[1]!, logger }, input);
  expect(admitted.kind).toBe("created");
  release();
  expect((await refused).kind).toBe("duplicate");

  const gens = await instances[0]!.Generation.find({ chat_id: 4343 }).lean();
  expect(gens).toHaveLength(1);
  expect(String(gens[0]!._id)).toBe(String(admitted.kind === "created" && admitted.id));
  expect(gens[0]!.next_run_at.getTime()).toBeLessThan(HELD.getTime());
  const reserves = await instances[0]!.Ledger.find({ user_id: 4343, kind: "reserve" }).lean();
  expect(reserves.map((r) => String(r.generation_id))).toEqual([String(gens[0]!._id)]);
});
