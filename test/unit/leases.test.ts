/**
 * Leases against the real database (MONGODB_TEST_URI, FerretDB in CI): a claim key whose epoch
 * never reached its generation must not lock the generation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase, type Database } from "../../src/db/connection.js";
import { createLogger } from "../../src/logger.js";
import { createLeases } from "../../src/generations/leases.js";
import { testDatabaseUri } from "../support/mongo.js";

const logger = createLogger({ level: "silent", secrets: [] });
let db: Database;
let chat = 9000;

beforeAll(async () => {
  db = await connectDatabase({ uri: testDatabaseUri("leases"), dataDir: "", logger });
});
afterAll(async () => {
  await db?.close();
});

/** A generation as the bot stores it, in `phase`, due now and unleased. */
async function generation(phase: "queued" | "delivering" = "delivering") {
  chat++;
  return db.models.Generation.create({
    short_id: `lease${chat}`,
    chat_id: chat,
    user_id: chat,
    source_message_id: 1,
    prompt: "a cup turns",
    model: "MiniMax-Hailuo-02",
    image: { file_id: "f", file_unique_id: "u", mime: "image/jpeg", width: 1280, height: 720 },
    callback_token: "t".repeat(32),
    phase,
    ...(phase === "delivering" ? { minimax_status: "success", minimax_file_id: "123" } : {}),
  });
}

describe("claiming a lease", () => {
  const LEASE_MS = 2_000;

  it("passes over a claim key older than a lease whose epoch never reached the generation", async () => {
    const gen = await generation();
    // An instance inserted the key of epoch 1, then died before writing the epoch to the document.
    await db.models.Claim.create({ _id: `lease:${gen._id}:1`, owner: "dead", at: new Date(Date.now() - 2 * LEASE_MS) });
    const leases = createLeases(db.models, "alive", LEASE_MS);
    const claimed = await leases.claim({ _id: gen._id });
    expect(claimed?.lease_epoch).toBe(2);
    expect(claimed?.lease_owner).toBe("alive");
    // Exactly one claim of the next epoch: a second instance finds the generation leased.
    expect(await createLeases(db.models, "other", LEASE_MS).claim({ _id: gen._id }, { ignoreSchedule: true })).toBeNull();
  });

  it("respects a key younger than a lease: its winner may still be writing the document", async () => {
    const gen = await generation();
    await db.models.Claim.create({ _id: `lease:${gen._id}:1`, owner: "busy", at: new Date() });
    expect(await createLeases(db.models, "alive", LEASE_MS).claim({ _id: gen._id })).toBeNull();
    expect((await db.models.Generation.findById(gen._id))?.lease_epoch).toBe(0);
  });

  it("of two instances racing past the same stale key, one wins", async () => {
    const gen = await generation();
    await db.models.Claim.create({ _id: `lease:${gen._id}:1`, owner: "dead", at: new Date(Date.now() - 2 * LEASE_MS) });
    const results = await Promise.all(["a", "b", "c"].map((owner) => createLeases(db.models, owner, LEASE_MS).claim({ _id: gen._id })));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe("writes after a lost lease", () => {
  it("a step of an older claim cannot write, even when the same instance holds the newer claim", async () => {
    const gen = await generation();
    const leases = createLeases(db.models, "instance-1", 60_000);
    const first = (await leases.claim({ _id: gen._id }))!;
    // The first step stalls past its lease, and the same instance claims the generation again.
    await db.models.Generation.collection.updateOne({ _id: gen._id }, { $set: { lease_until: new Date(Date.now() - 1) } });
    const second = (await leases.claim({ _id: gen._id }))!;
    expect(second.lease_epoch).toBe(first.lease_epoch + 1);

    expect(await leases.renew(first)).toBe(false);
    expect(await leases.update(first, { deliver_attempts: 5 })).toBe(false);
    expect(await leases.finish(first, { phase: "delivered" })).toBe(false);
    expect(await db.models.Generation.findById(gen._id).lean()).toMatchObject({
      phase: "delivering",
      deliver_attempts: 0,
      lease_owner: "instance-1",
      lease_epoch: second.lease_epoch,
    });

    expect(await leases.finish(second, { phase: "delivered" })).toBe(true);
    expect((await db.models.Generation.findById(gen._id).lean())?.phase).toBe("delivered");
  });
});
