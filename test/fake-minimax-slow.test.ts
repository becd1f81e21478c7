// Tests of the fake MiniMax's slow-network controls (throttleDownloads, delayNextQuery), which the
// crash tests rely on to act in the middle of a download or a status query.
import { afterEach, describe, expect, it } from "vitest";
import { makeFakeMp4, makePng, startFakeMiniMax, toDataUrl, type FakeMiniMax } from "./support/fake-minimax.js";

let fake: FakeMiniMax | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const auth = (f: FakeMiniMax) => ({ authorization: `Bearer ${f.apiKey}`, "content-type": "application/json" });

/** A finished task whose video is `video`; returns a fresh signed download URL for it. */
async function finishedVideo(f: FakeMiniMax, video: Buffer) {
  const created = (await (
    await fetch(`${f.baseUrl}/v1/video_generation`, {
      method: "POST",
      headers: auth(f),
      body: JSON.stringify({ model: "MiniMax-Hailuo-02", first_frame_image: toDataUrl(makePng(640, 480)) }),
    })
  ).json()) as { task_id: string };
  await f.succeed(created.task_id, video);
  const fileId = f.tasks.get(created.task_id)!.fileId!;
  const retrieved = (await (await fetch(`${f.baseUrl}/v1/files/retrieve?file_id=${fileId}`, { headers: auth(f) })).json()) as {
    file: { download_url: string };
  };
  return { taskId: created.task_id, url: retrieved.file.download_url };
}

describe("fake MiniMax slow network", () => {
  it("throttles CDN downloads, and unthrottling speeds up a download already streaming", async () => {
    fake = await startFakeMiniMax();
    const video = makeFakeMp4(300_000);
    const { url } = await finishedVideo(fake, video);

    fake.throttleDownloads(100_000);
    const started = Date.now();
    const res = await fetch(url);
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    let got = 0;
    // About half a second at 100 kB/s: far from all 300 kB.
    while (got < 40_000) {
      const { value } = await reader.read();
      chunks.push(value!);
      got += value!.length;
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(fake.downloads[0]!.bytesSent).toBeLessThan(150_000);

    fake.throttleDownloads(null);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
    // The rest came at full speed: well under the 2.6 s it would take throttled.
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(Buffer.concat(chunks).equals(video)).toBe(true);
    await fake.waitFor(() => fake!.downloads[0]!.completed, 2_000, "the download to complete");
    expect(fake.downloads[0]!.endedAt).toBeGreaterThanOrEqual(fake.downloads[0]!.startedAt);
  });

  it("a throttled download the client abandons stops streaming and is recorded as incomplete", async () => {
    fake = await startFakeMiniMax();
    const video = makeFakeMp4(500_000);
    const { url } = await finishedVideo(fake, video);
    fake.throttleDownloads(50_000);
    const controller = new AbortController();
    const res = await fetch(url, { signal: controller.signal });
    await res.body!.getReader().read();
    controller.abort();
    await fake.waitFor(() => fake!.downloads[0]!.endedAt !== undefined, 2_000, "the download to end");
    const rec = fake.downloads[0]!;
    expect(rec.completed).toBe(false);
    expect(rec.bytesSent).toBeLessThan(video.length);
    expect(() => fake!.throttleDownloads(0)).toThrow();
  });

  it("delayNextQuery holds one status query, recorded on arrival; the next is answered at once", async () => {
    fake = await startFakeMiniMax();
    const { taskId } = await finishedVideo(fake, makeFakeMp4(1_000));
    fake.delayNextQuery(400);
    const started = Date.now();
    const slow = fetch(`${fake.baseUrl}/v1/query/video_generation?task_id=${taskId}`, { headers: auth(fake) });
    await fake.waitFor(() => fake!.queries.length === 1, 1_000, "the query to arrive");
    const fast = await fetch(`${fake.baseUrl}/v1/query/video_generation?task_id=${taskId}`, { headers: auth(fake) });
    expect(Date.now() - started).toBeLessThan(300);
    expect(((await fast.json()) as { status: string }).status).toBe("Success");
    const answer = (await (await slow).json()) as { status: string };
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBe("Success");
    expect(fake.queries).toEqual([taskId, taskId]);
  });
});
