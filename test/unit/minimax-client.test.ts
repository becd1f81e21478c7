/**
 * The MiniMax client against the fake MiniMax: each call goes to the API its model's entry names,
 * the v2 shapes (content array, {task:{…}}, DELETE) and how v2's HTTP errors are classified for the
 * lifecycle (refused, retry later, operator, outcome unknown), and what each request is labelled with.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMiniMaxClient, type MiniMaxClient, type RequestLabel } from "../../src/minimax/client.js";
import { failureKind, MiniMaxApiError, MiniMaxTransportError } from "../../src/minimax/errors.js";
import { makeFakeMp4, makePng, startFakeMiniMax, toDataUrl, type FakeMiniMax } from "../support/fake-minimax.js";

let mm: FakeMiniMax;
let client: MiniMaxClient;
const observed: Array<RequestLabel & { code: string }> = [];
const first = makePng(640, 480);
const last = makePng(640, 480, [0, 90, 200]);
const h3 = { model: "MiniMax-H3", firstFrameImage: toDataUrl(first), prompt: "the kettle steams", duration: 8, resolution: "2K", promptOptimizer: true };

beforeAll(async () => {
  mm = await startFakeMiniMax();
  client = createMiniMaxClient({ apiBase: mm.baseUrl, apiKey: mm.apiKey, observe: (label, code) => observed.push({ ...label, code }) });
});
afterAll(async () => {
  await client?.destroy();
  await mm?.close();
});

/** The error a call ends with. */
const failure = (work: Promise<unknown>) => work.then(() => expect.unreachable("it succeeded"), (err: unknown) => err);

describe("MiniMax client", () => {
  it("an H3 create goes to v2: one text item, the first and last frames with their roles, resolution and duration; no ratio, no watermark, no prompt optimizer", async () => {
    const { taskId } = await client.createVideo({ ...h3, lastFrameImage: toDataUrl(last) });
    const rec = mm.createRequests.at(-1)!;
    expect(rec).toMatchObject({ api: "v2", outcome: "accepted", taskId });
    expect(rec.body).toEqual({
      model: "MiniMax-H3",
      content: [
        { type: "text", text: "the kettle steams" },
        { type: "image_url", image_url: "<image>", role: "first_frame" },
        { type: "image_url", image_url: "<image>", role: "last_frame" },
      ],
      resolution: "2K",
      duration: 8,
    });
    expect(rec.frames!.map((f) => f.bytes)).toEqual([first, last]);
    expect(observed.at(-1)).toEqual({ api: "v2", model: "MiniMax-H3", endpoint: "v2/video_generation", code: "0" });

    // A Hailuo model stays on v1, with its own field for the last frame.
    await client.createVideo({ ...h3, model: "MiniMax-Hailuo-02", duration: 6, resolution: "768P", lastFrameImage: toDataUrl(last) });
    expect(mm.createRequests.at(-1)).toMatchObject({ api: "v1", outcome: "accepted", body: { model: "MiniMax-Hailuo-02", last_frame_image: toDataUrl(last), prompt_optimizer: true } });
    expect(observed.at(-1)).toMatchObject({ api: "v1", model: "MiniMax-Hailuo-02", endpoint: "v1/video_generation" });
  });

  it("reads every task status of a query, and the video's URL afresh for each download", async () => {
    const { taskId } = await client.createVideo(h3);
    const task = { model: "MiniMax-H3", taskId };
    expect(await client.queryTask(task)).toEqual({ status: "queued" });
    await mm.process(taskId);
    expect(await client.queryTask(task)).toEqual({ status: "processing" });
    const video = makeFakeMp4(50_000);
    await mm.succeed(taskId, video);
    expect(await client.queryTask(task)).toEqual({ status: "success" });
    const [a, b] = [await client.videoFile(task), await client.videoFile(task)];
    expect(a.downloadUrl).not.toBe(b.downloadUrl);
    const download = await client.openDownload(b.downloadUrl);
    const chunks: Buffer[] = [];
    for await (const chunk of download.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(video)).toBe(true);
    expect(download.contentLength).toBe(video.length);
    expect(observed.at(-1)).toEqual({ api: "v2", model: "MiniMax-H3", endpoint: "v2/query/video_generation/{id}", code: "0" });

    const failed = await client.createVideo(h3);
    await mm.fail(failed.taskId, 1026, "input new_sensitive");
    const state = await client.queryTask({ model: "MiniMax-H3", taskId: failed.taskId });
    expect(state).toEqual({ status: "failed", code: 1026, message: "input new_sensitive" });
    expect(failureKind((state as { code: number }).code)).toBe("sensitive_input");
  });

  it("classifies v2's HTTP errors: 400 and 422 refused with MiniMax's code, 401 and 402 the operator's, 429 a pause, 500 and 529 an unknown outcome", async () => {
    mm.failNextCreate({ code: 2013 });
    const invalid = await failure(client.createVideo(h3));
    expect(invalid).toBeInstanceOf(MiniMaxApiError);
    expect(invalid).toMatchObject({ code: 2013, httpStatus: 400, retryable: false, operatorProblem: false });
    expect(failureKind((invalid as MiniMaxApiError).code)).toBe("invalid");

    mm.failNextCreate({ code: 1026 });
    const sensitive = (await failure(client.createVideo(h3))) as MiniMaxApiError;
    expect(sensitive).toMatchObject({ code: 1026, httpStatus: 422 });
    expect(failureKind(sensitive.code)).toBe("sensitive_input");

    for (const code of [1004, 1008]) {
      mm.failNextCreate({ code });
      expect(await failure(client.createVideo(h3))).toMatchObject({ code, operatorProblem: true });
    }
    expect((await failure(createMiniMaxClient({ apiBase: mm.baseUrl, apiKey: "sk-wrong" }).createVideo(h3))) as MiniMaxApiError).toMatchObject({ code: 1004, httpStatus: 401, operatorProblem: true });

    mm.failNextCreate({ code: 1002 });
    expect(await failure(client.createVideo(h3))).toMatchObject({ code: 1002, httpStatus: 429, retryable: true });
    expect(observed.at(-1)).toMatchObject({ api: "v2", endpoint: "v2/video_generation", code: "1002" });

    for (const status of [500, 529]) {
      mm.failNextCreate({ http: status, afterCreate: true });
      const lost = await failure(client.createVideo(h3));
      expect(lost).toBeInstanceOf(MiniMaxTransportError);
      expect(lost).toMatchObject({ requestSent: true, httpStatus: status });
      expect(observed.at(-1)).toMatchObject({ code: `http_${status}` });
    }
    // A query's 500 is no task's outcome: asked again later.
    const { taskId } = await client.createVideo(h3);
    mm.failNextQuery(1000);
    expect(await failure(client.queryTask({ model: "MiniMax-H3", taskId }))).toBeInstanceOf(MiniMaxTransportError);
  });

  it("cancels a queued task; a running one is refused, and a v1 model cannot cancel at all", async () => {
    const queued = await client.createVideo(h3);
    const running = await client.createVideo(h3);
    await mm.process(running.taskId);
    expect(await client.cancelTask({ model: "MiniMax-H3", taskId: queued.taskId })).toBe("cancelled");
    expect(await client.queryTask({ model: "MiniMax-H3", taskId: queued.taskId })).toEqual({ status: "cancelled" });
    expect(await client.cancelTask({ model: "MiniMax-H3", taskId: running.taskId })).toBe("refused");
    expect(observed.at(-1)).toEqual({ api: "v2", model: "MiniMax-H3", endpoint: "v2/video_generation/{id}", code: "2013" });
    expect(mm.deletes.map((d) => d.status)).toEqual([200, 400]);
    expect(await client.cancelTask({ model: "MiniMax-Hailuo-02", taskId: "1" })).toBe("refused");
    expect(mm.deletes).toHaveLength(2);
  });
});
