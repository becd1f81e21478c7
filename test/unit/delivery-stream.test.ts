import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ExactLengthStream, isTrustedDownloadUrl } from "../../src/generations/deliver.js";
import { taskStateOf } from "../../src/minimax/client.js";
import { failureKind } from "../../src/minimax/errors.js";
import { callbackUrlFor } from "../../src/generations/submit.js";

async function collect(stream: NodeJS.ReadableStream) {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe("ExactLengthStream", () => {
  it("passes a complete video through untouched", async () => {
    const data = Buffer.from("0123456789");
    expect((await collect(Readable.from([data.subarray(0, 4), data.subarray(4)]).pipe(new ExactLengthStream(10, 100)))).equals(data)).toBe(true);
  });
  it("fails a truncated video instead of ending cleanly", async () => {
    await expect(collect(Readable.from([Buffer.alloc(7)]).pipe(new ExactLengthStream(10, 100)))).rejects.toThrow(/truncated: 7 of 10/);
  });
  it("fails a video over the cap", async () => {
    await expect(collect(Readable.from([Buffer.alloc(60), Buffer.alloc(60)]).pipe(new ExactLengthStream(undefined, 100)))).rejects.toThrow(/exceeds/);
  });
});

describe("MiniMax contract details", () => {
  it("folds statuses case-insensitively and compares file ids as strings", () => {
    expect(taskStateOf("Success", 176844028768320)).toEqual({ status: "success", fileId: "176844028768320" });
    expect(taskStateOf("success", "f1")).toEqual({ status: "success", fileId: "f1" });
    expect(taskStateOf("Fail", undefined, { status_code: 1027, status_msg: "x" })).toEqual({ status: "failed", code: 1027, message: "x" });
    expect(taskStateOf("Queueing", undefined)).toEqual({ status: "processing" });
  });
  it("maps error codes to what the user is told", () => {
    expect(failureKind(1026)).toBe("sensitive_input");
    expect(failureKind(1027)).toBe("sensitive_output");
    expect(failureKind(1008)).toBe("unavailable");
    expect(failureKind(2049)).toBe("unavailable");
    expect(failureKind(2013)).toBe("invalid");
  });
  it("accepts only https downloads, or the API's own origin", () => {
    expect(isTrustedDownloadUrl("https://cdn.example.com/v.mp4", "https://api.minimax.io")).toBe(true);
    expect(isTrustedDownloadUrl("http://cdn.example.com/v.mp4", "https://api.minimax.io")).toBe(false);
    expect(isTrustedDownloadUrl("http://127.0.0.1:9/cdn/1", "http://127.0.0.1:9")).toBe(true);
    expect(isTrustedDownloadUrl("file:///etc/passwd", "http://127.0.0.1:9")).toBe(false);
  });
  it("puts the generation and its token into the callback URL", () => {
    const url = new URL(callbackUrlFor("https://bot.example.com/api/minimax_callback", "abc2345", "tok_en"));
    expect(url.pathname).toBe("/api/minimax_callback");
    expect(url.searchParams.get("generation")).toBe("abc2345");
    expect(url.searchParams.get("token")).toBe("tok_en");
  });
});
