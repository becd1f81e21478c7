/**
 * Issue 25, item 10: a client that sends slowly, or opens connection after connection, cannot hold
 * the HTTP server: requests must arrive within HTTP_REQUEST_TIMEOUT_MS (headers within
 * HTTP_HEADERS_TIMEOUT_MS), and at most HTTP_MAX_CONNECTIONS are open at once. Short limits here.
 */
import net from "node:net";
import { describe, expect, it } from "vitest";
import { useTestApp } from "../support/suite.js";

const REQUEST_MS = 1_500;
const HEADERS_MS = 1_000;
const MAX_CONNECTIONS = 6;

/** A raw connection to the app; `closed` resolves with how long after `start` the server ended it, and what it said. */
function connect(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk: Buffer) => void (received += chunk.toString("latin1")));
  socket.on("error", () => undefined);
  const start = performance.now();
  const closed = new Promise<{ afterMs: number; received: string }>((resolve) => socket.once("close", () => resolve({ afterMs: performance.now() - start, received })));
  return { socket, closed, ready: new Promise<void>((resolve) => socket.once("connect", () => resolve())) };
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function trickle(socket: net.Socket, text: string, everyMs: number) {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++]!);
  }, everyMs);
  return () => clearInterval(timer);
}

describe("HTTP server limits", () => {
  const s = useTestApp("http-limits", {
    mode: "webhook",
    env: { HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_MS), HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_MS), HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS) },
  });

  /** Asks /healthz every 100 ms while `during` runs; the slowest answer. */
  async function healthzWhile<T>(during: Promise<T>) {
    let done = false;
    const times: number[] = [];
    const polling = (async () => {
      while (!done) {
        const started = performance.now();
        const res = await fetch(`${s.app.url}/healthz`);
        await res.text();
        expect(res.status).toBe(200);
        times.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const result = await during;
    done = true;
    await polling;
    return { result, slowestMs: Math.max(...times), answers: times.length };
  }

  it("a callback body announced as 1000 bytes and sent a byte every 200 ms is cut within its limit, while /healthz stays fast", { timeout: 20_000 }, async () => {
    const slow = connect(s.app.port);
    await slow.ready;
    slow.socket.write(
      "POST /api/minimax_callback?generation=abcdefg&token=x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
    );
    const stop = trickle(slow.socket, `{"challenge":"${"x".repeat(990)}"}`, 200);
    const { result, slowestMs, answers } = await healthzWhile(slow.closed);
    stop();
    // Node checks every quarter of the headers limit: cut at most that long after the limit.
    expect(result.afterMs).toBeGreaterThanOrEqual(REQUEST_MS - 100);
    expect(result.afterMs).toBeLessThan(REQUEST_MS + HEADERS_MS / 4 + 700);
    expect(result.received).toMatch(/^HTTP\/1\.1 408/);
    expect(answers).toBeGreaterThanOrEqual(5);
    expect(slowestMs).toBeLessThan(300);
  });

  it("headers sent a byte at a time are cut within HTTP_HEADERS_TIMEOUT_MS", { timeout: 20_000 }, async () => {
    const slow = connect(s.app.port);
    await slow.ready;
    const stop = trickle(slow.socket, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${"y".repeat(200)}\r\n\r\n`, 100);
    const { afterMs } = await slow.closed;
    stop();
    expect(afterMs).toBeGreaterThanOrEqual(HEADERS_MS - 100);
    expect(afterMs).toBeLessThan(HEADERS_MS + HEADERS_MS / 4 + 700);
  });

  it("past HTTP_MAX_CONNECTIONS open connections a new one is closed at once; once they end, requests are served again", { timeout: 20_000 }, async () => {
    const held = Array.from({ length: MAX_CONNECTIONS }, () => connect(s.app.port));
    await Promise.all(held.map((c) => c.ready));
    await new Promise((r) => setTimeout(r, 100));
    const extra = connect(s.app.port);
    const dropped = await Promise.race([extra.closed, new Promise<null>((r) => setTimeout(() => r(null), HEADERS_MS / 2))]);
    expect(dropped, "the connection over the cap is closed at once").not.toBeNull();
    expect(dropped!.received).toBe("");
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    await new Promise((r) => setTimeout(r, 100));
    expect((await fetch(`${s.app.url}/healthz`)).status).toBe(200);
  });
});
