/**
 * The per-user admission against the test database, with two connections standing for two
 * instances and every request fired at once. On FerretDB a conditional update is a read and a
 * write, so these tests fail for a `$inc`-with-`$gte` balance and for admission by counting.
 */
import { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import type { Models } from "../../src/db/models.js";
import { createAdmission, reserveKey, type Admissible } from "../../src/generations/admission.js";
import { useTwoInstances } from "../support/mongo.js";

const PRICES = { "MiniMax-Hailuo-02": { "6s-768P": 1, "10s-768P": 2 } };
const instances = useTwoInstances("admission");

const gen = (userId: number, duration = 6): Admissible => ({
  _id: new Types.ObjectId(),
  user_id: userId,
  short_id: Math.random().toString(36).slice(2, 9),
  model: "MiniMax-Hailuo-02",
  duration,
  resolution: "768P",
});

/** Two admission controls on two connections, as two instances would have. */
const admissions = (config: { freeCredits: number; maxActivePerUser: number }) =>
  instances.map((models) => createAdmission(models, { prices: PRICES, ...config }));

/** The user's chain must be gap-free and each link must follow from the one before. */
async function expectConsistentChain(models: Models, userId: number) {
  const chain = await models.Ledger.find({ user_id: userId }).sort({ seq: 1 }).lean();
  let balance = 0;
  let inFlight = 0;
  for (const [i, entry] of chain.entries()) {
    expect(entry.seq).toBe(i + 1);
    balance += entry.credits;
    inFlight += entry.active;
    expect(entry.balance).toBe(balance);
    expect(entry.in_flight).toBe(inFlight);
    expect(entry.balance).toBeGreaterThanOrEqual(0);
  }
  return chain;
}

describe("per-user admission", () => {
  it("twenty photos at once through two instances with a balance of three: exactly three are admitted", async () => {
    const [a, b] = admissions({ freeCredits: 3, maxActivePerUser: 50 });
    const gens = Array.from({ length: 20 }, () => gen(901));
    const results = await Promise.all(gens.map((g, i) => (i % 2 ? a! : b!).reserve(g)));
    expect(results.filter((r) => r.kind === "admitted")).toHaveLength(3);
    for (const r of results.filter((r) => r.kind !== "admitted")) expect(r).toEqual({ kind: "credits", price: 1, balance: 0 });
    const chain = await expectConsistentChain(instances[0]!, 901);
    expect(chain.map((e) => e.kind)).toEqual(["welcome", "reserve", "reserve", "reserve"]);
    expect(chain.at(-1)).toMatchObject({ balance: 0, in_flight: 3 });
  });

  it("MAX_ACTIVE_PER_USER=1: of ten photos at once with credits to spare, one is admitted", async () => {
    const [a, b] = admissions({ freeCredits: 100, maxActivePerUser: 1 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a! : b!).reserve(gen(902))));
    expect(results.filter((r) => r.kind === "admitted")).toHaveLength(1);
    expect(results.filter((r) => r.kind === "limit")).toHaveLength(9);
    const chain = await expectConsistentChain(instances[0]!, 902);
    expect(chain.at(-1)).toMatchObject({ balance: 99, in_flight: 1 });
  });

  it("capture and release racing from two instances settle a generation once; a release gives the price back", async () => {
    const [a, b] = admissions({ freeCredits: 5, maxActivePerUser: 5 });
    const paid = gen(903, 10);
    const failed = gen(903);
    expect(await a!.reserve(paid)).toMatchObject({ kind: "admitted", price: 2, balance: 3 });
    expect(await b!.reserve(failed)).toMatchObject({ kind: "admitted", price: 1, balance: 2 });
    await Promise.all([a!.settle(paid, "capture"), b!.settle(paid, "release"), b!.settle(paid, "capture"), a!.settle(failed, "release"), b!.settle(failed, "release")]);
    const chain = await expectConsistentChain(instances[0]!, 903);
    expect(chain.filter((e) => e.kind === "capture" || e.kind === "release")).toHaveLength(2);
    const settledPaid = chain.find((e) => String(e.generation_id) === String(paid._id) && e.kind !== "reserve")!;
    // Whichever came first won; the balance agrees with it.
    expect(chain.at(-1)).toMatchObject({ in_flight: 0, balance: settledPaid.kind === "capture" ? 3 : 5 });
    // Settling a generation that was never admitted moves nothing.
    expect(await a!.settle(gen(903), "release")).toBeNull();
  });

  it("a request whose admitting process died is decided by its reservation key, once", async () => {
    const [a, b] = admissions({ freeCredits: 2, maxActivePerUser: 5 });
    const { Generation } = instances[0]!;
    const held = new Date(8.64e15);
    const base = { chat_id: 904, user_id: 904, locale: "en", prompt: "p", model: "MiniMax-Hailuo-02", duration: 6, resolution: "768P", callback_token: "t" };
    const image = { file_id: "f", file_unique_id: "u", mime: "image/jpeg", width: 1000, height: 1000 };
    const reserved = await Generation.create({ ...base, short_id: "heldres", source_message_id: 1, image, next_run_at: held });
    const abandoned = await Generation.create({ ...base, short_id: "heldnon", source_message_id: 2, image, next_run_at: held });
    await a!.reserve(reserved);
    // Both instances recover at once.
    await Promise.all([a!.recoverHeld(held, 0), b!.recoverHeld(held, 0)]);
    expect((await Generation.findById(reserved._id))?.next_run_at.getTime()).toBeLessThan(held.getTime());
    expect(await Generation.findById(abandoned._id)).toBeNull();
    // The dead process's reservation arriving late can no longer take credits.
    expect(await b!.reserve(abandoned)).toEqual({ kind: "abandoned" });
    expect((await instances[1]!.Ledger.findOne({ key: reserveKey(abandoned._id) }))?.kind).toBe("void");
    const chain = await expectConsistentChain(instances[0]!, 904);
    expect(chain.at(-1)).toMatchObject({ balance: 1, in_flight: 1 });
  });
});
