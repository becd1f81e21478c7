/**
 * The MiniMax submission rate limit against a real database: many submitters (as many instances
 * would) race for the slots at once; no more than MINIMAX_RPM uses are won per window, every slot
 * document is created once, and a slot whose winner died before writing it back is healed. The v2
 * API's task slots (MINIMAX_V2_MAX_IN_FLIGHT) likewise, held until released by any instance.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Types } from "mongoose";
import { type Models, type Phase } from "../../src/db/models.js";
import { createSubmitRateLimit, createTaskSlots } from "../../src/generations/rate-limit.js";
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

describe("v2 task slots (tasks in flight at MiniMax)", () => {
  /** A generation in `phase`, last written `ageMs` ago. */
  async function generation(phase: Phase, ageMs = 0) {
    const n = Math.floor(Math.random() * 1e9);
    const gen = await models.Generation.create({
      short_id: `slot${n}`,
      chat_id: n,
      user_id: n,
      source_message_id: 1,
      prompt: "p",
      model: "MiniMax-H3",
      image: { file_id: "f", file_unique_id: "u", mime: "image/jpeg", width: 640, height: 480 },
      callback_token: "t".repeat(32),
      phase,
    });
    await models.Generation.collection.updateOne({ _id: gen._id }, { $set: { updated_at: new Date(Date.now() - ageMs) } });
    return String(gen._id);
  }

  it("of many generations racing from three instances, exactly MAX hold a slot, each a different one; asking again keeps one's own; a release frees it for another", async () => {
    const instances = Array.from({ length: 3 }, () => createTaskSlots(models, 4, "test-tasks"));
    const gens = await Promise.all(Array.from({ length: 9 }, () => generation("submitting")));
    const uses = await Promise.all(gens.map((g, i) => instances[i % 3]!.tryAcquire(g)));
    const holders = gens.filter((_, i) => uses[i]);
    expect(holders).toHaveLength(4);
    expect(new Set(uses.filter(Boolean).map((u) => u!.slotId)).size).toBe(4);
    expect(await models.RateSlot.countDocuments({ _id: /^test-tasks:/ })).toBe(4);
    // A holder that asks again (its step lost its lease and another took over) keeps its slot.
    const again = await instances[2]!.tryAcquire(holders[0]!);
    expect(again).toEqual(uses[gens.indexOf(holders[0]!)]);
    const waiting = gens.find((g) => !holders.includes(g))!;
    expect(await instances[0]!.tryAcquire(waiting)).toBeNull();
    // Any instance gives a holder's slot back.
    await instances[1]!.release(holders[1]!);
    expect(await instances[0]!.tryAcquire(waiting)).toMatchObject({ slotId: uses[gens.indexOf(holders[1]!)]!.slotId });
    expect(await models.RateSlot.countDocuments({ _id: /^test-tasks:/, holder: { $exists: true } })).toBe(4);
  });

  it("a slot whose generation left MiniMax without giving it back is freed by the next one that finds all taken; one still at MiniMax is not", async () => {
    const slots = createTaskSlots(models, 2, "test-left");
    const done = await generation("submitted");
    const running = await generation("submitted");
    expect(await slots.tryAcquire(done)).not.toBeNull();
    expect(await slots.tryAcquire(running)).not.toBeNull();
    // Its instance died right after MiniMax's answer was recorded: the release never came.
    await models.Generation.collection.updateOne({ _id: new Types.ObjectId(done) }, { $set: { phase: "delivering", updated_at: new Date(Date.now() - 60_000) } });
    await models.Generation.collection.updateOne({ _id: new Types.ObjectId(running) }, { $set: { updated_at: new Date(Date.now() - 3600_000) } });
    const next = await generation("submitting");
    expect(await slots.tryAcquire(next)).toBeNull(); // finds all taken, frees the one left behind
    expect(await slots.tryAcquire(next)).not.toBeNull();
    expect((await models.RateSlot.find({ _id: /^test-left:/ }).lean()).map((s) => s.holder).sort()).toEqual([next, running].sort());
  });
});
