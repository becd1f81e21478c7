/**
 * The submit step against the real database, with MiniMax, Telegram's file API and the rate limit
 * replaced by recorders: the order of its steps, what it leaves behind, and the rate slot's fate.
 */
import { getEventListeners } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Api } from "grammy";
import { connectDatabase, type Database } from "../../src/db/connection.js";
import { createLogger } from "../../src/logger.js";
import { createConfig } from "../../src/config.js";
import { createLeases } from "../../src/generations/leases.js";
import { recoverSubmit, submitGeneration } from "../../src/generations/submit.js";
import type { SubmitRateLimit, SlotUse } from "../../src/generations/rate-limit.js";
import type { LifecycleDeps } from "../../src/generations/deps.js";
import type { MiniMaxClient } from "../../src/minimax/client.js";
import type { TelegramFiles } from "../../src/telegram/files.js";
import { makeJpeg } from "../support/images.js";
import { testDatabaseUri } from "../support/mongo.js";

const logger = createLogger({ level: "silent", secrets: [] });
const config = createConfig({ BOT_TOKEN: "123456:ABCdefGHIjklMNOpqrSTUvwx", MINIMAX_API_KEY: "sk-test-key" });
let db: Database;
let chat = 9100;

beforeAll(async () => {
  db = await connectDatabase({ uri: testDatabaseUri("submit"), dataDir: "", logger });
});
afterAll(async () => {
  await db?.close();
});

/** Everything the step does, in order. */
function recorder(opts: { busyTurns: number; onAcquired?: () => Promise<void>; duringCreate?: () => Promise<void> }) {
  const events: string[] = [];
  let turns = 0;
  const rateLimit = {
    async tryAcquire() {
      if (turns++ < opts.busyTurns) return null;
      events.push("slot");
      await opts.onAcquired?.();
      return { slotId: "minimax-submit:0", seq: 1 };
    },
    nextFreeAt: async () => new Date(), // busy again at once: the shortest wait, many turns
    async holdFromNow(_use: SlotUse) {
      events.push("hold");
    },
    async release(_use: SlotUse) {
      events.push("release");
    },
  } as unknown as SubmitRateLimit;
  const jpeg = makeJpeg(640, 480);
  const deps: LifecycleDeps = {
    config,
    models: db.models,
    logger,
    instanceId: "submitter",
    telegram: {} as Api,
    t: () => "",
    files: {
      download: async () => {
        events.push("download");
        return jpeg;
      },
    } as unknown as TelegramFiles,
    minimax: {
      createVideo: async () => {
        events.push("create");
        await opts.duringCreate?.();
        return { taskId: `task-${chat}` };
      },
    } as unknown as MiniMaxClient,
  };
  return { events, rateLimit, deps };
}

async function claimedGeneration(leases: ReturnType<typeof createLeases>) {
  chat++;
  const gen = await db.models.Generation.create({
    short_id: `subm${chat}`,
    chat_id: chat,
    user_id: chat,
    source_message_id: 1,
    prompt: "a cup turns",
    model: "MiniMax-Hailuo-02",
    image: { file_id: "photo", file_unique_id: "u", mime: "image/jpeg", width: 640, height: 480 },
    callback_token: "t".repeat(32),
  });
  return (await leases.claim({ _id: gen._id }, { set: { phase: "submitting" } }))!;
}

describe("submitGeneration", () => {
  it("waits many turns for a slot without piling up abort listeners, and fetches the photo only with a slot", async () => {
    const leases = createLeases(db.models, "submitter", 60_000);
    const gen = await claimedGeneration(leases);
    const { events, rateLimit, deps } = recorder({ busyTurns: 12 });
    const signal = new AbortController().signal;
    await submitGeneration(deps, leases, { rate: rateLimit }, gen, signal);

    expect(getEventListeners(signal, "abort")).toHaveLength(0);
    expect(events).toEqual(["slot", "download", "create", "hold"]);
    expect((await db.models.Generation.findById(gen._id))?.phase).toBe("submitted");
  });

  it("a lease lost while waiting sends nothing and gives the rate slot back", async () => {
    const leases = createLeases(db.models, "submitter", 60_000);
    const gen = await claimedGeneration(leases);
    const { events, rateLimit, deps } = recorder({
      busyTurns: 0,
      // Another instance took the generation over while this one waited for its turn.
      onAcquired: async () => {
        await db.models.Generation.collection.updateOne({ _id: gen._id }, { $set: { lease_owner: "other", lease_epoch: gen.lease_epoch + 1 } });
      },
    });
    await submitGeneration(deps, leases, { rate: rateLimit }, gen, new AbortController().signal);

    expect(events).not.toContain("create");
    // The slot is not left blocked as if a request were still out (minutes, on MongoDB's clock).
    expect(events.filter((e) => e === "hold" || e === "release")).toHaveLength(1);
    expect(await db.models.Generation.findById(gen._id)).toMatchObject({ phase: "submitting", lease_owner: "other" });
  });

  it("a lease about to run out (renewals not landing) sends nothing: another instance may be claiming it as the marker would land", async () => {
    const leases = createLeases(db.models, "submitter", 60_000);
    const gen = await claimedGeneration(leases);
    const { events, rateLimit, deps } = recorder({
      busyTurns: 0,
      // The lease has 5 s left of its 60: the renewals have not landed for most of it.
      onAcquired: async () => {
        await db.models.Generation.collection.updateOne({ _id: gen._id }, { $set: { lease_until: new Date(Date.now() + 5_000) } });
      },
    });
    await submitGeneration(deps, leases, { rate: rateLimit }, gen, new AbortController().signal);

    expect(events).not.toContain("create");
    expect(events.filter((e) => e === "hold" || e === "release")).toEqual(["release"]);
    const after = (await db.models.Generation.findById(gen._id))!;
    expect(after).toMatchObject({ phase: "queued" });
    expect(after.create_sent_at).toBeUndefined();
  });

  it("a step whose lease renewals stopped landing (its signal aborted) sends nothing and goes back to the queue", async () => {
    const leases = createLeases(db.models, "submitter", 60_000);
    const gen = await claimedGeneration(leases);
    const overdue = new AbortController();
    const { events, rateLimit, deps } = recorder({ busyTurns: 0, onAcquired: async () => overdue.abort() });
    await submitGeneration(deps, leases, { rate: rateLimit }, gen, overdue.signal, new AbortController().signal);

    expect(events).not.toContain("create");
    expect(events.filter((e) => e === "hold" || e === "release")).toEqual(["release"]);
    expect((await db.models.Generation.findById(gen._id))?.phase).toBe("queued");
  });
});

/**
 * On FerretDB an update is a read then a whole-document write: another instance's claim, read before
 * the create's marker landed and written after it, undoes the marker. Its recovery must still not
 * send the create again, nor may the create leave once a recovery has requeued it.
 */
describe("a submission and its recovery by another instance", () => {
  /** Another instance claims the generation (its lease expired) and recovers it, as the worker would. */
  async function recoverElsewhere(gen: { _id: unknown }, deps: LifecycleDeps) {
    await db.models.Generation.collection.updateOne({ _id: gen._id as never }, { $set: { lease_until: new Date(0) } });
    const other = createLeases(db.models, "recoverer", 60_000);
    const claimed = (await other.claim({ _id: gen._id, phase: "submitting" }, { ignoreSchedule: true }))!;
    expect(claimed).toBeTruthy();
    await recoverSubmit({ ...deps, instanceId: "recoverer" }, other, claimed);
  }

  it("a recovery while the create is out, on a document whose marker was undone, settles it as unknown: never sent again", async () => {
    const leases = createLeases(db.models, "submitter", 60_000);
    const gen = await claimedGeneration(leases);
    const { events, rateLimit, deps } = recorder({
      busyTurns: 0,
      duringCreate: async () => {
        await db.models.Generation.collection.updateOne({ _id: gen._id }, { $unset: { create_sent_at: 1 } });
        await recoverElsewhere(gen, deps);
      },
    });
    await submitGeneration(deps, leases, { rate: rateLimit }, gen, new AbortController().signal);

    expect(events.filter((e) => e === "create")).toHaveLength(1);
    const after = (await db.models.Generation.findById(gen._id))!;
    expect(after.phase).not.toBe("queued");
    expect(after.error_code).toBe("unknown_outcome");
  });

  it("a recovery that requeued the generation first, its claim then undone by the marker, keeps the create from leaving", async () => {
    const leases = createLeases(db.models, "submitter", 60_000);
    const gen = await claimedGeneration(leases);
    const { events, rateLimit, deps } = recorder({
      busyTurns: 0,
      onAcquired: async () => {
        await recoverElsewhere(gen, deps);
        // The submitter's marker, read before that recovery, lands after it: the document is its own again.
        await db.models.Generation.collection.updateOne(
          { _id: gen._id },
          { $set: { phase: "submitting", lease_owner: "submitter", lease_epoch: gen.lease_epoch, lease_until: new Date(Date.now() + 60_000) } },
        );
      },
    });
    await submitGeneration(deps, leases, { rate: rateLimit }, gen, new AbortController().signal);

    expect(events).not.toContain("create");
    expect(events.filter((e) => e === "hold" || e === "release")).toEqual(["release"]);
  });
});
