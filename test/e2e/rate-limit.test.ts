/**
 * The MiniMax submission rate limit against a real database: many submitters (as many instances
 * would) race for the slots at once; no more than MINIMAX_RPM uses are won per window, every slot
 * document is created once, and a slot whose winner died before writing it back is healed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Models } from "../../src/db/models.js";
import { createSubmitRateLimit } from "../../src/generations/rate-limit.js";
import { openDatabaseView, testDatabaseUri } from "../support/mongo.js";

let conn: Awaited<ReturnType<typeof openDatabaseView>>;
let models: Models;

beforeAll(async () => {
  conn = await openDatabaseView(testDatabaseUri("ratelimit"));
  models = conn.models;
  await Promise.all(Object.values(models).map((m) => m.createIndexes()));
});

afterAll(async () => {
  await conn?.close();
});

describe("submission rate slots", () => {
  it("of many racing submitters, exactly RPM win a slot in a window, each a different one", async () => {
    // Three instances, each with four submitters, share RPM 3.
    const instances = Array.from({ length: 3 }, () => createSubmitRateLimit(models, 3, 60_000));
    const uses = await Promise.all(instances.flatMap((limit, i) => Array.from({ length: 4 }, () => limit.tryAcquire(`instance-${i}`))));
    const won = uses.filter((u) => u !== null);
    expect(won).toHaveLength(3);
    expect(new Set(won.map((u) => u!.slotId)).size).toBe(3);
    expect(await models.RateSlot.countDocuments({ _id: /^minimax-submit:/ })).toBe(3);
    // The window's budget is spent: nobody else gets one, from any instance.
    expect(await instances[0]!.tryAcquire("instance-0")).toBeNull();
    expect(await createSubmitRateLimit(models, 3, 60_000).tryAcquire("instance-3")).toBeNull();
  });

  it("a slot whose winner died before writing it back comes free again once its use is old", async () => {
    await models.RateSlot.deleteMany({});
    await models.Claim.deleteMany({});
    const limit = createSubmitRateLimit(models, 1, 1_000);
    const first = await limit.tryAcquire("a");
    expect(first).toMatchObject({ slotId: "minimax-submit:0", seq: 1 });
    await limit.holdFromNow(first!);
    // Use 2 was claimed long ago by an instance that died before it wrote the slot back.
    await models.RateSlot.updateOne({ _id: "minimax-submit:0" }, { $set: { free_at: new Date(0) } });
    await models.Claim.create({ _id: "rate:minimax-submit:0:2", owner: "dead", at: new Date(Date.now() - 3600_000) });
    expect(await limit.tryAcquire("b")).toBeNull(); // lost to the dead claim, which it heals
    expect(await limit.tryAcquire("b")).toMatchObject({ slotId: "minimax-submit:0", seq: 3 });
  });
});
