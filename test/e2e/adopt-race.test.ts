/**
 * A create whose answer is lost leaves the generation waiting for MiniMax's callback to name its
 * task. That callback may reach another instance while the create is still on the wire, before the
 * lost answer has been recorded: the task id must not be lost with it. (Seen under load as one of
 * forty users never getting their video.)
 */
import { describe, expect, it } from "vitest";
import { makeMp4 } from "../support/fake-telegram.js";
import { eventually, freePort, startFakes, startTestApp } from "../support/app.js";
import { startMongoProxy, type MongoProxy } from "../support/mongo-proxy.js";
import { useStartedByHand } from "../support/suite.js";
import { openDatabaseView, testDatabaseUri } from "../support/mongo.js";
import { expectOneVideo, photoFrom, postUpdate, taskFor, user } from "../support/scenario.js";

describe("a success callback heard by one instance while the other's create is still out (webhook mode)", () => {
  const world = useStartedByHand();

  it("is kept, and the task adopted once the create's outcome turns out unknown: one task, one video", async () => {
    const fakes = (world.fakes = await startFakes());
    const { telegram: tg, minimax: mm } = fakes;
    const uri = testDatabaseUri("adoptrace");
    const proxy = (world.proxy = await startMongoProxy(uri));
    // Each instance submits with the other's callback URL (behind one load balancer either could get
    // it), so whichever takes the job, the callback reaches the other one. Both reach MongoDB through
    // the proxy, which holds the submitting one's record of the lost answer.
    const [portA, portB] = [await freePort(), await freePort()];
    const envFor = (own: number, other: number) => ({
      PORT: String(own),
      PUBLIC_URL: `http://127.0.0.1:${own}`,
      MINIMAX_CALLBACK_URL: `http://127.0.0.1:${other}/api/minimax_callback`,
      // Long enough that a loaded machine never lets the other instance recover the held generation
      // as abandoned: the race under test is the callback's, not the lease's.
      LEASE_MS: "30000",
    });
    const a = await startTestApp({ mode: "webhook", telegram: tg, minimax: mm, mongoUri: proxy.uriFor(uri), env: envFor(portA, portB) });
    world.apps.push(a);
    world.apps.push(await startTestApp({ mode: "webhook", telegram: tg, minimax: mm, mongoUri: proxy.uriFor(uri), env: envFor(portB, portA) }));
    const view = (world.view = await openDatabaseView(uri));

    mm.suppressCallbacks(true);
    // MiniMax takes the task, then the answer is lost (a gateway's 502); the record of that (and only
    // that: not a lease renewal on the way) is held on the wire.
    mm.failNextCreate({ http: 502, afterCreate: true });
    let holding: ReturnType<MongoProxy["holdNext"]> | undefined;
    mm.beforeNextCreate(() => {
      holding = proxy.holdNext("update", "generations", 20_000, ["error_code", "unknown_outcome"]);
    });
    const who = user(9901);
    const sent = photoFrom(tg, who, "the lamp flickers on");
    expect(await postUpdate(a, sent.update)).toBe(200);
    const task = await taskFor(mm, "the lamp flickers on");
    await eventually(() => holding, 10_000, "the hold armed");
    const held = await holding!;

    // Meanwhile MiniMax finishes and calls back: the other instance hears it, while the generation is
    // still the submitting one's and still "submitting".
    const video = makeMp4({ payloadBytes: 60_000 });
    await mm.succeed(task.taskId, video);
    const gen = await view.models.Generation.findOne({ chat_id: who.chatId }).lean();
    expect(gen?.phase).toBe("submitting");
    const callbackUrl = String(mm.createRequests.find((r) => r.body.prompt === "the lamp flickers on")!.body.callback_url);
    const answer = await mm.sendCallback(callbackUrl, { task_id: task.taskId, status: "success", file_id: String(mm.tasks.get(task.taskId)!.fileId), base_resp: { status_code: 0, status_msg: "success" } });
    expect(answer.status).toBe(200);

    // The lost answer is recorded now: the generation waits for a callback that came already.
    await held.release();
    await expectOneVideo(tg, who.chatId, video);
    const done = await eventually(() => view.models.Generation.findOne({ chat_id: who.chatId, phase: "delivered" }).lean(), 10_000, "delivered");
    expect(done.minimax_job_id).toBe(task.taskId);
    expect(mm.createRequests.filter((r) => r.body.prompt === "the lamp flickers on")).toHaveLength(1);
  }, 40_000);
});
