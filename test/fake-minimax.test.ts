// Tests of the fake MiniMax server itself (test/support/fake-minimax.ts), with plain fetch.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fakesClosedAfterEachTest } from "./support/callback-receiver.js";
import { describe, expect, it } from "vitest";
import { makeFakeMp4, makePng, toDataUrl, type FakeMiniMax } from "./support/fake-minimax.js";

const png = makePng(640, 480);

let fake: FakeMiniMax | undefined;
const { receiver, adopt, startFake } = fakesClosedAfterEachTest();


/** The fields these tests read from the fake's JSON answers. */
interface ApiResp {
  task_id: string;
  status?: string;
  file_id?: string;
  base_resp: { status_code: number; status_msg: string };
  file: { file_id: number; bytes: number; filename: string; download_url: string };
}

async function api(f: FakeMiniMax, path: string, body?: unknown, key = f.apiKey) {
  const res = await fetch(`${f.baseUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as ApiResp;
}

const create = (f: FakeMiniMax, extra: Record<string, unknown> = {}) =>
  api(f, "/v1/video_generation", { model: "MiniMax-Hailuo-02", first_frame_image: toDataUrl(png), prompt: "spin", ...extra });

describe("fake MiniMax", () => {
  it("verifies callback_url with a challenge during the create request", async () => {
    fake = await startFake();
    const good = await receiver((b) => b);
    const res = await create(fake, { callback_url: good.url });
    expect(res.base_resp.status_code).toBe(0);
    expect(res.task_id).toMatch(/^\d+$/);
    // The challenge had been answered before the create response came back.
    expect(good.got).toEqual([{ challenge: expect.any(String) }]);
    expect(fake.createRequests[0]).toMatchObject({ outcome: "accepted", taskId: res.task_id, imageMime: "image/png" });
    expect(fake.createRequests[0]!.body).not.toHaveProperty("first_frame_image");
    expect(fake.createRequests[0]!.imageBytes!.equals(png)).toBe(true);

    // Later status changes go to the same URL.
    const cb = await fake.process(res.task_id);
    expect(cb?.status).toBe(200);
    expect(good.got[1]).toMatchObject({ task_id: res.task_id, status: "processing", base_resp: { status_code: 0 } });

    const bad = await receiver(() => ({ challenge: "wrong" }));
    const rejected = await create(fake, { callback_url: bad.url });
    expect(rejected.base_resp).toEqual({ status_code: 2013, status_msg: "invalid params, fail to check callback url" });
    expect(fake.createRequests[1]!.outcome).toBe(2013);
    expect(fake.tasks.size).toBe(1);
  });

  it("rejects bad keys and invalid params", async () => {
    fake = await startFake();
    expect((await api(fake, "/v1/query/video_generation?task_id=1", undefined, "nope")).base_resp.status_code).toBe(2049);
    expect((await create(fake, { duration: 10, resolution: "1080P" })).base_resp.status_code).toBe(2013);
    expect((await create(fake, { model: "I2V-01", duration: 6 })).base_resp.status_code).toBe(2013);
    expect((await create(fake, { model: "T2V-01" })).base_resp.status_code).toBe(2013);
    expect((await create(fake, { prompt: "x".repeat(2001) })).base_resp.status_code).toBe(2013);
    expect((await create(fake, { first_frame_image: toDataUrl(makePng(200, 200)) })).base_resp.status_code).toBe(2013);
    expect((await create(fake, { first_frame_image: toDataUrl(png, "image/jpeg") })).base_resp.status_code).toBe(2013);
    expect((await create(fake, { model: "I2V-01-live", whatever: 1 })).base_resp.status_code).toBe(0);
  });

  it("answers query and retrieve in the contract's shapes, and serves the video", async () => {
    fake = await startFake();
    const { task_id } = await create(fake);
    expect((await api(fake, `/v1/query/video_generation?task_id=${task_id}`)).status).toBe("Queueing");

    const video = makeFakeMp4(200_000);
    await fake.succeed(task_id, video, { width: 1280, height: 720 });
    const q = await api(fake, `/v1/query/video_generation?task_id=${task_id}`);
    expect(q).toMatchObject({ task_id, status: "Success", video_width: 1280, video_height: 720, base_resp: { status_code: 0 } });
    expect(typeof q.file_id).toBe("string");

    const r = await api(fake, `/v1/files/retrieve?file_id=${q.file_id}`);
    expect(r.file).toMatchObject({ file_id: Number(q.file_id), bytes: video.length, filename: "output.mp4" });
    expect(typeof r.file.file_id).toBe("number");
    const dl = await fetch(r.file.download_url);
    expect(Buffer.from(await dl.arrayBuffer()).equals(video)).toBe(true);

    fake.expireDownloadUrls();
    expect((await fetch(r.file.download_url)).status).toBe(403);
    const fresh = await api(fake, `/v1/files/retrieve?file_id=${q.file_id}`);
    expect((await fetch(fresh.file.download_url)).status).toBe(200);

    await fake.fail((await create(fake)).task_id, 1026);
    const failed = await api(fake, `/v1/query/video_generation?task_id=${fake.createRequests.at(-1)!.taskId}`);
    expect(failed).toMatchObject({ status: "Fail", base_resp: { status_code: 1026 } });
    expect((await api(fake, "/v1/query/video_generation?task_id=404")).base_resp.status_code).toBe(2013);
    expect(fake.queries).toHaveLength(4);
  });

  it("cuts a download short of its Content-Length", async () => {
    fake = await startFake();
    const { task_id } = await create(fake);
    await fake.succeed(task_id, makeFakeMp4(300_000));
    const r = await api(fake, `/v1/files/retrieve?file_id=${fake.tasks.get(task_id)!.fileId}`);
    fake.cutNextDownload(100_000);
    const res = await fetch(r.file.download_url);
    expect(res.headers.get("content-length")).toBe("300000");
    let received = 0;
    await expect(
      (async () => {
        for await (const chunk of res.body!) received += (chunk as Uint8Array).length;
      })(),
    ).rejects.toThrow();
    expect(received).toBeLessThan(300_000);
    expect(fake.downloads[0]).toMatchObject({ completed: false, bytesSent: 100_000 });
  });

  it("enforces the per-minute limit and injected faults", async () => {
    fake = await startFake({ rpm: 2 });
    expect((await create(fake)).base_resp.status_code).toBe(0);
    expect((await create(fake)).base_resp.status_code).toBe(0);
    expect((await create(fake)).base_resp).toEqual({ status_code: 1002, status_msg: "rate limit" });
    expect(fake.createRequests.map((c) => c.outcome)).toEqual(["accepted", "accepted", 1002]);

    const f2 = await startFake();
    f2.failNextCreate({ drop: true });
    await expect(create(f2)).rejects.toThrow();
    expect(f2.tasks.size).toBe(1); // created although the answer was lost
    expect(f2.createRequests[0]!.outcome).toBe("dropped");
  });

  it("auto-completes tasks, sends title-case callbacks, and times out a silent challenge", async () => {
    fake = await startFake({ callbackCase: "title", challengeTimeoutMs: 200 });
    const rx = await receiver((b) => ("challenge" in b ? b : { ok: true }));
    fake.autoComplete({ afterMs: 20, video: () => makeFakeMp4(1000) });
    const { task_id } = await create(fake, { callback_url: rx.url });
    await fake.waitFor(() => rx.got.length === 3, 2000, "3 callbacks");
    expect(rx.got.slice(1).map((b) => b.status)).toEqual(["Processing", "Success"]);
    expect(rx.got[2]).toMatchObject({ task_id, file_id: fake.tasks.get(task_id)!.fileId });

    const silent = http.createServer(() => {}); // never answers
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    adopt(silent);
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/cb`;
    expect((await create(fake, { callback_url: url })).base_resp.status_code).toBe(2013);
    silent.closeAllConnections();

    fake.failNextCreate({ http: 502 });
    const res = await fetch(`${fake.baseUrl}/v1/video_generation`, {
      method: "POST",
      headers: { authorization: `Bearer ${fake.apiKey}` },
      body: "{}",
    });
    expect(res.status).toBe(502);
    expect(fake.createRequests.at(-1)!.outcome).toBe("http502");
  });

  it("takes last_frame_image only on MiniMax-Hailuo-02, checked like the first frame, and never with 512P", async () => {
    fake = await startFake();
    const last = makePng(480, 640);
    const ok = await create(fake, { last_frame_image: toDataUrl(last), resolution: "768P" });
    expect(ok.base_resp.status_code).toBe(0);
    const frame = fake.createRequests[0]!.frames?.find((f) => f.role === "last_frame");
    expect(frame).toMatchObject({ width: 480, height: 640, mime: "image/png" });
    expect(frame!.bytes!.equals(last)).toBe(true);
    expect(fake.tasks.get(ok.task_id)!.lastFrameSha256).toBe(frame!.sha256);
    expect(fake.createRequests[0]!.body).not.toHaveProperty("last_frame_image");

    const refusals: Array<[Record<string, unknown>, RegExp]> = [
      [{ model: "MiniMax-Hailuo-2.3", last_frame_image: toDataUrl(last) }, /only taken by MiniMax-Hailuo-02/],
      [{ model: "I2V-01", last_frame_image: toDataUrl(last) }, /only taken by MiniMax-Hailuo-02/],
      [{ last_frame_image: toDataUrl(last), resolution: "512P" }, /512P is not documented/],
      [{ last_frame_image: toDataUrl(makePng(200, 640)) }, /last_frame_image: image short edge 200px/],
      [{ last_frame_image: "data:image/png;base64,!!" }, /last_frame_image has invalid base64/],
    ];
    for (const [extra, reason] of refusals) {
      const res = await create(fake, extra);
      expect(res.base_resp.status_code).toBe(2013);
      expect(fake.createRequests.at(-1)!.reason).toMatch(reason);
    }
    expect(fake.tasks.size).toBe(1);
  });
});
