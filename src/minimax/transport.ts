import { Agent, request, type Dispatcher } from "undici";
import { requestRange, type ByteRange } from "../byte-range.js";
import { MiniMaxApiError, MiniMaxTransportError } from "./errors.js";
import type { Download, ObserveRequest, RequestLabel } from "./types.js";

export interface TransportOptions {
  apiBase: string;
  apiKey: string;
  /** How long a create may take, MiniMax's challenge round-trip included. */
  createTimeoutMs?: number;
  requestTimeoutMs?: number;
  observe?: ObserveRequest;
}

export interface SendInit {
  method: "GET" | "POST" | "DELETE";
  query?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
  signal?: AbortSignal;
}

// Errors thrown before a single byte left this machine: MiniMax cannot have seen the request.
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

/** The code an API request ended with, for metrics: MiniMax's status code, or the transport's failure. */
function outcomeCode(err: unknown) {
  if (err instanceof MiniMaxApiError) return String(err.code);
  if (err instanceof MiniMaxTransportError && err.httpStatus) return `http_${err.httpStatus}`;
  return "transport";
}

/**
 * What both MiniMax APIs share: one connection pool to the API host, the bearer key, timeouts, the
 * line between "never sent" and "maybe sent", downloads, and one observation per request.
 */
export function createTransport(opts: TransportOptions) {
  const dispatcher: Dispatcher = new Agent({
    headersTimeout: opts.createTimeoutMs ?? 120_000,
    bodyTimeout: opts.requestTimeoutMs ?? 60_000,
    connectTimeout: 10_000,
  });
  const auth = { authorization: `Bearer ${opts.apiKey}` };

  return {
    /** Runs one API request (`work` sends and reads it) and reports its outcome. */
    async observed<T>(label: RequestLabel, work: () => Promise<T>): Promise<T> {
      const started = performance.now();
      let code = "0";
      try {
        return await work();
      } catch (err) {
        code = outcomeCode(err);
        throw err;
      } finally {
        opts.observe?.(label, code, (performance.now() - started) / 1000);
      }
    },

    /** Sends a request to the API; a failure to get any answer is a MiniMaxTransportError. */
    async send(path: string, init: SendInit): Promise<Dispatcher.ResponseData> {
      const url = new URL(path, opts.apiBase + "/");
      for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
      try {
        return await request(url, {
          method: init.method,
          dispatcher,
          headers: init.body === undefined ? auth : { ...auth, "content-type": "application/json" },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          headersTimeout: init.timeoutMs,
          signal: init.signal,
        });
      } catch (err) {
        const code = (err as { code?: string }).code ?? "";
        throw new MiniMaxTransportError(`${path}: ${code || (err as Error).message}`, !NOT_SENT_CODES.has(code));
      }
    },

    /** Opens the video as a stream; the caller must consume or destroy `body`. */
    async openDownload(url: string, signal?: AbortSignal): Promise<Download> {
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, { method: "GET", dispatcher, signal });
      } catch (err) {
        throw new MiniMaxTransportError(`download: ${(err as { code?: string }).code ?? (err as Error).message}`, false);
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new MiniMaxTransportError(`download: HTTP ${res.statusCode}`, false, res.statusCode);
      }
      const length = Number(res.headers["content-length"]);
      return { body: res.body, contentLength: Number.isFinite(length) ? length : undefined };
    },

    /** A part of a downloaded video (or all of it), on the same connections: the studio's player (byte-range.ts). */
    openRange: (url: string, range: ByteRange | undefined, signal?: AbortSignal) => requestRange(url, range, { dispatcher, ...(signal ? { signal } : {}) }),

    createTimeoutMs: opts.createTimeoutMs,
    close: () => dispatcher.close(),
    /** Ends every request still open (shutdown, once leases are handed back). */
    destroy: () => dispatcher.destroy(),
  };
}
export type Transport = ReturnType<typeof createTransport>;
