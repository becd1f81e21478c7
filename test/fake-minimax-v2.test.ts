// Tests of the fake MiniMax's v2 API (contract, section 7), with plain fetch: what it takes, what it
// refuses and how, what its queries, callbacks and DELETE say.
import { fakesClosedAfterEachTest } from "./support/callback-receiver.js";
import { describe, expect, it } from "vitest";
import { makeFakeMp4, makePng, toDataUrl, type FakeMiniMax } from "./support/fake-minimax.js";

const png = makePng(640, 480);
const png2 = makePng(640, 480, [10, 200, 30]);

let fake: FakeMiniMax | undefined;
const { receiver, startFake } = fakesClosedAfterEachTest();


/** The fields these tests read from the fake's JSON answers. */
interface Answer {
  task_id?: string;
  type?: string;
  error: { type: string; message: string; http_code: string };
  task: { status: string; content: { url: string } } & Record<string, unknown>;
  [key: string]: unknown;
}

async function call(f: FakeMiniMax, method: string, path: string, body?: unknown, key = f.apiKey) {
  const res = await fetch(`${f.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Answer };
}

const text = (t: string) => ({ type: "text", text: t });
const frame = (bytes: Buffer, role?: string) => ({ type: "image_url", image_url: { url: toDataUrl(bytes) }, ...(role ? { role } : {}) });
const createBody = (extra: Record<string, unknown> = {}) => ({ model: "MiniMax-H3", content: [text("the bag turns"), frame(png, "first_frame")], resolution: "768P", duration: 5, ...extra });
const create = (f: FakeMiniMax, extra: Record<string, unknown> = {}, key?: string) => call(f, "POST", "/v2/video_generation", createBody(extra), key);
const query = (f: FakeMiniMax, id: string) => call(f, "GET", `/v2/query/video_generation/${id}`);

/** The contract's error shape, with the HTTP status, MiniMax's code in the message and the error type. */
function expectError(res: { status: number; json: Answer }, status: number, type: string, code: number) {
  expect(res.status).toBe(status);
  expect(res.json).toMatchObject({ type: "error", error: { type, http_code: String(status) }, request_id: expect.any(String) });
  expect(res.json.error.message).toMatch(new RegExp(`\\(${code}\\)$`));
}

describe("fake MiniMax, v2 API", () => {
  it("creates a task from a content array after the callback's challenge; query, callbacks and the video URL follow the task", async () => {
    fake = await startFake();
    const cb = await receiver();
    const created = await create(fake, { callback_url: cb.url, content: [text("the bag turns"), frame(png, "first_frame"), frame(png2, "last_frame")] });
    expect(created).toEqual({ status: 200, json: { task_id: expect.stringMatching(/^\d+$/) } });
    const id = created.json.task_id as string;
    expect(cb.got).toEqual([{ challenge: expect.any(String) }]);
    const rec = fake.createRequests[0]!;
    expect(rec).toMatchObject({ api: "v2", outcome: "accepted", taskId: id });
    expect(rec.body.content).toEqual([text("the bag turns"), { type: "image_url", image_url: "<image>", role: "first_frame" }, { type: "image_url", image_url: "<image>", role: "last_frame" }]);
    expect(rec.frames!.map((f) => [f.role, f.bytes!.equals(f.role === "first_frame" ? png : png2)])).toEqual([["first_frame", true], ["last_frame", true]]);
    expect(fake.tasks.get(id)).toMatchObject({ api: "v2", status: "queued", prompt: "the bag turns", duration: 5, resolution: "768P" });

    expect((await query(fake, id)).json).toEqual({
      task: { id, model: "MiniMax-H3", status: "queued", created_at: expect.any(Number), updated_at: expect.any(Number), resolution: "768P", duration: 5, ratio: "adaptive", task_type: "generation" },
    });
    await fake.process(id);
    expect(cb.got[1]).toMatchObject({ task: { id, status: "running" } });

    const video = makeFakeMp4(100_000);
    await fake.succeed(id, video);
    expect(cb.got[2]).toMatchObject({ task: { id, status: "succeeded", content: { url: expect.any(String) } } });
    const first = (await query(fake, id)).json.task;
    const second = (await query(fake, id)).json.task;
    expect(first).toMatchObject({ status: "succeeded", usage: { output_seconds: 5 } });
    // Each query gives a fresh URL; each one downloads the video.
    expect(first.content.url).not.toBe(second.content.url);
    for (const url of [first.content.url, second.content.url]) expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(video)).toBe(true);
    expect(fake.queries).toEqual([id, id, id]);
  });

  it("refuses what the contract refuses, with 400 bad_request_error (2013)", async () => {
    fake = await startFake();
    // What is sent, and the reason the fake records for refusing it.
    const refusals: Array<[Record<string, unknown>, RegExp]> = [
      [{ content: [frame(png, "first_frame")] }, /0 text items/],
      [{ content: [text("a"), text("b"), frame(png, "first_frame")] }, /2 text items/],
      [{ content: [text("  "), frame(png, "first_frame")] }, /text item is empty/],
      [{ duration: 3 }, /duration 3:/],
      [{ duration: 16 }, /duration 16:/],
      [{ duration: 5.5 }, /duration 5.5:/],
      [{ duration: undefined }, /duration undefined:/],
      [{ resolution: undefined }, /resolution undefined:/],
      [{ model: "MiniMax-H3-Max", resolution: "2K" }, /"2K": MiniMax-H3-Max takes 480P or 768P/],
      [{ resolution: "480P" }, /"480P": MiniMax-H3 takes 768P or 2K/],
      [{ content: [text("a"), frame(png, "last_frame")] }, /last_frame without first_frame/],
      [{ content: [text("a"), frame(png, "first_frame"), frame(png2, "first_frame")] }, /more than one first_frame/],
      [{ content: [text("a"), frame(png), frame(png2)] }, /role is required with two images/],
      [{ content: [text("a"), frame(makePng(200, 400), "first_frame")] }, /200x400, each side must be 256-5760 px/],
      [{ content: [text("a"), frame(makePng(300, 800), "first_frame")] }, /width\/height 0.38 outside 0.4-2.5/],
      [{ model: "MiniMax-Hailuo-02" }, /not a v2 video model/],
    ];
    for (const [extra, reason] of refusals) {
      expectError(await create(fake, extra), 400, "bad_request_error", 2013);
      expect(fake.createRequests.at(-1)!.reason).toMatch(reason);
    }
    expect(fake.tasks.size).toBe(0);
    expect(fake.createRequests.map((r) => r.outcome)).toEqual(refusals.map(() => 2013));

    // A single image without a role is the first frame; 4 and 15 s, and H3-Max at 480P, are taken.
    expect((await create(fake, { content: [text("a"), frame(png)] })).status).toBe(200);
    expect((await create(fake, { duration: 15, resolution: "2K" })).status).toBe(200);
    expect((await create(fake, { model: "MiniMax-H3-Max", resolution: "480P", duration: 4 })).status).toBe(200);
  });

  it("answers errors with their HTTP statuses: 401 for a bad key, injected 402, 422, 429, 500 and 529", async () => {
    fake = await startFake();
    expectError(await create(fake, {}, "wrong-key"), 401, "authorized_error", 1004);
    fake.failNextCreate({ code: 1008 });
    expectError(await create(fake), 402, "insufficient_balance_error", 1008);
    fake.failNextCreate({ code: 1026 });
    expectError(await create(fake), 422, "unprocessable_entity_error", 1026);
    fake.failNextCreate({ code: 1002 });
    expectError(await create(fake), 429, "rate_limit_error", 1002);
    expect(fake.tasks.size).toBe(0);
    // A 500 after the task was made: the task exists, the answer says otherwise.
    fake.failNextCreate({ http: 500, afterCreate: true });
    expectError(await create(fake), 500, "server_error", 1000);
    expect(fake.tasks.size).toBe(1);
    fake.failNextCreate({ http: 529 });
    expectError(await create(fake), 529, "overloaded_error", 1000);
    expect(fake.tasks.size).toBe(1);
    // Queries too.
    fake.failNextQuery(1002);
    expectError(await query(fake, [...fake.tasks.keys()][0]!), 429, "rate_limit_error", 1002);
    expectError(await query(fake, "999"), 400, "bad_request_error", 2013);
  });

  it("DELETE cancels a queued task (with a callback) and refuses a running one", async () => {
    fake = await startFake();
    const cb = await receiver();
    const queued = (await create(fake, { callback_url: cb.url })).json.task_id as string;
    const running = (await create(fake)).json.task_id as string;
    await fake.process(running);

    expect(await call(fake, "DELETE", `/v2/video_generation/${queued}`)).toEqual({ status: 200, json: { task_id: queued, action: "cancel", status: "cancelled" } });
    expect((await query(fake, queued)).json.task.status).toBe("cancelled");
    await fake.waitFor(() => cb.got.some((b) => (b.task as { status?: string } | undefined)?.status === "cancelled"), 5_000, "the cancelled callback");
    expectError(await call(fake, "DELETE", `/v2/video_generation/${running}`), 400, "bad_request_error", 2013);
    expect(fake.tasks.get(running)!.status).toBe("running");
    expect(fake.deletes.map((d) => [d.taskId, d.status])).toEqual([[queued, 200], [running, 400]]);
  });

  it("keeps at most v2MaxInFlight tasks queued or running: one more is refused with 429 until one is over", async () => {
    fake = await startFake({ v2MaxInFlight: 2 });
    const ids = [(await create(fake)).json.task_id as string, (await create(fake)).json.task_id as string];
    expectError(await create(fake), 429, "rate_limit_error", 1002);
    await fake.fail(ids[0]!, 1027);
    expect((await query(fake, ids[0]!)).json.task).toMatchObject({ status: "failed", error: { code: "1027", message: "output new_sensitive" } });
    expect((await create(fake)).status).toBe(200);
    expect(fake.peakV2InFlight).toBe(2);
    expect(fake.v2InFlight()).toBe(2);
  });

  it("section 8: up to 9 reference_image items, never mixed with frames, ratio honoured; a regeneration needs base_video at 2K, refuses an expired URL, and is queried as a generation; a task is known for 7 days", async () => {
    fake = await startFake();
    const cb = await receiver();
    const pictures = Array.from({ length: 10 }, (_, i) => makePng(640 + 16 * i, 480));
    const refs = (n: number) => pictures.slice(0, n).map((p) => frame(p, "reference_image"));
    const withRefs = await create(fake, { content: [text("the bottle"), ...refs(9)], ratio: "9:16", callback_url: cb.url });
    expect(withRefs.status).toBe(200);
    const id = withRefs.json.task_id!;
    expect(fake.createRequests.at(-1)!.frames!.map((f) => f.sha256)).toEqual(fake.tasks.get(id)!.referenceSha256s);
    expect((await query(fake, id)).json.task).toMatchObject({ ratio: "9:16", task_type: "generation" });
    expectError(await create(fake, { content: [text("the bottle"), ...refs(10)] }), 400, "bad_request_error", 2013);
    expectError(await create(fake, { content: [text("the bottle"), frame(png, "first_frame"), ...refs(2)] }), 400, "bad_request_error", 2013);
    expect(fake.createRequests.at(-1)!.reason).toBe("reference_image is never sent with first_frame or last_frame");

    await fake.succeed(id, makeFakeMp4(50_000));
    const url = (await query(fake, id)).json.task.content.url;
    const regenerate = (content: unknown[], extra: Record<string, unknown> = {}) =>
      call(fake!, "POST", "/v2/video_regeneration", { model: "MiniMax-H3", content, resolution: "2K", ...extra });
    const base = (u: string) => ({ type: "video_url", video_url: { url: u }, role: "base_video" });
    expectError(await regenerate([text("the bottle")]), 400, "bad_request_error", 2013);
    expectError(await regenerate([text("the bottle"), base(url)], { resolution: "768P" }), 400, "bad_request_error", 2013);
    expectError(await regenerate([text("the bottle"), base(url)], { duration: 5 }), 400, "bad_request_error", 2013);
    const made = await regenerate([text("the bottle"), base(url)], { callback_url: cb.url });
    expect(made.status).toBe(200);
    expect(fake.createRequests.at(-1)).toMatchObject({ endpoint: "video_regeneration", baseVideo: { taskId: id } });
    expect((await query(fake, made.json.task_id!)).json.task).toMatchObject({ status: "queued", resolution: "2K", task_type: "regeneration" });
    const fromBytes = await regenerate([text("the bottle"), base(`data:video/mp4;base64,${makeFakeMp4(1_000).toString("base64")}`)]);
    expect(fromBytes.status).toBe(200);
    fake.expireDownloadUrls();
    expectError(await regenerate([text("the bottle"), base(url)]), 400, "bad_request_error", 2013);

    fake.ageTask(id, 8);
    expectError(await query(fake, id), 400, "bad_request_error", 2013);
  });
});
