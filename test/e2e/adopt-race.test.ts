/**
 * A create whose answer is lost leaves the generation waiting for MiniMax's callback to name its
 * task. That callback may reach another instance while the create is still on the wire, before the
 * lost answer has been recorded: the task id must not be lost with it. (Seen under load as one of
 * forty users never getting their video.)
 */
import { afterAll, describe, expect, it } from "vitest";
import { makeMp4 } from "../support/fake-telegram.js";
import { eventually, startFakes, startTestApp, type TestApp } from "../support/app.js";
import { startMongoProxy, type MongoProxy } from "../support/mongo-proxy.js";
import { testDatabaseUri } from "../support/mongo.js";
import { expectOneVideo, photoFrom, postUpdate, taskFor, user } from "../support/scenario.js";

describe("a success callback heard by one instance while the other's create is still out (webhook mode)", () => {
  const started: TestApp[] = [];
  let proxy: MongoProxy | undefined;
  let fakes: Awaited<ReturnType<typeof startFakes>> | undefined;
  afterAll(async () => {
    proxy?.restore();
    for (const app of started) await app.stop();
    await proxy?.close();
    await fakes?.close();
  });

  it("is kept, and the task adopted once the create's outcome turns out unknown: one task, one video", async () => {
    fakes = await startFakes();
    const { telegram: tg, minimax: mm } = fakes;
    const uri = testDatabaseUri("adoptrace");
    proxy = await startMongoProxy(uri);
    const b = await startTestApp({ mode: "webhook", telegram: tg, minimax: mm, mongoUri: uri });
    started.push(b);
    // A submits with B's callback URL (behind one load balancer either could get it), and reaches MongoDB through the proxy.
    const a = await startTestApp({ mode: "webhook", telegram: tg, minimax: mm, mongoUri: proxy.uriFor(uri), env: { MINIMAX_CALLBACK_URL: `${b.url}/api/minimax_callback` } });
    started.push(a);

    mm.suppressCallbacks(true);
    // MiniMax takes the task, then the answer is lost (a gateway's 502); A's record of that is held on the wire.
    mm.failNextCreate({ http: 502, afterCreate: true });
    let holding: ReturnType<MongoProxy["holdNext"]> | undefined;
    mm.beforeNextCreate(() => {
      holding = proxy!.holdNext("update", "generations", 20_000);
    });
    const who = user(9901);
    const sent = photoFrom(tg, who, "the lamp flickers on");
    expect(await postUpdate(a, sent.update)).toBe(200);
    const task = await taskFor(mm, "the lamp flickers on");
    await eventually(() => holding, 10_000, "the hold armed");
    const held = await holding!;

    // Meanwhile MiniMax finishes and calls back: B hears it, while the generation is still A's and still "submitting".
    const video = makeMp4({ payloadBytes: 60_000 });
    await mm.succeed(task.taskId, video);
    const gen = await eventually(() => b.db.models.Generation.findOne({ chat_id: who.chatId }).select("+callback_token").lean(), 5_000, "the generation");
    expect(gen.phase).toBe("submitting");
    const url = `${b.url}/api/minimax_callback?generation=${gen.short_id}&token=${gen.callback_token}`;
    const answer = await mm.sendCallback(url, { task_id: task.taskId, status: "success", file_id: String(mm.tasks.get(task.taskId)!.fileId), base_resp: { status_code: 0, status_msg: "success" } });
    expect(answer.status).toBe(200);

    // A's lost answer is recorded now: the generation waits for a callback that came already.
    await held.release();
    await expectOneVideo(tg, who.chatId, video);
    const done = await eventually(() => b.db.models.Generation.findOne({ chat_id: who.chatId, phase: "delivered" }).lean(), 10_000, "delivered");
    expect(done.minimax_job_id).toBe(task.taskId);
    expect(mm.createRequests.filter((r) => r.body.prompt === "the lamp flickers on")).toHaveLength(1);
  }, 40_000);
});
