import type { Readable } from "node:stream";
import { Agent, request, type Dispatcher } from "undici";
import { MiniMaxApiError, MiniMaxTransportError } from "./errors.js";
import { requestRange, type ByteRange } from "../byte-range.js";

export interface CreateVideoInput {
  model: string;
  firstFrameImage: string;
  prompt: string;
  duration?: number;
  resolution?: string;
  /** MiniMax's `prompt_optimizer` (it rewrites the prompt when on); left out, MiniMax's default (on) applies. */
  promptOptimizer?: boolean;
  callbackUrl?: string;
}

/** What a query or a callback says about a task, folded to the original design's statuses. */
export type TaskState =
  | { status: "processing" }
  | { status: "success"; fileId: string; width?: number; height?: number }
  | { status: "failed"; code: number; message: string };

export interface RetrievedFile {
  fileId: string;
  bytes: number | undefined;
  downloadUrl: string;
}

export interface MiniMaxClientOptions {
  apiBase: string;
  apiKey: string;
  /** How long a create may take, MiniMax's challenge round-trip included. */
  createTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Told about every API request once it is over: its endpoint, status code ("0" = success) and duration. */
  observe?: (endpoint: string, code: string, seconds: number) => void;
}

/** The code an API request ended with, for metrics: MiniMax's status code, or the transport's failure. */
function outcomeCode(err: unknown) {
  if (err instanceof MiniMaxApiError) return String(err.code);
  if (err instanceof MiniMaxTransportError && err.httpStatus) return `http_${err.httpStatus}`;
  return "transport";
}

// Errors thrown before a single byte left this machine: MiniMax cannot have seen the request.
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

interface BaseResp {
  base_resp?: { status_code?: number; status_msg?: string };
}

/** Folds MiniMax's task status names (any letter case) into ours. */
export function taskStateOf(status: unknown, fileId: unknown, baseResp?: BaseResp["base_resp"]): TaskState {
  const s = String(status ?? "").toLowerCase();
  if (s === "success" && fileId != null && String(fileId) !== "") return { status: "success", fileId: String(fileId) };
  if (s === "fail" || s === "failed") {
    return { status: "failed", code: baseResp?.status_code ?? 0, message: baseResp?.status_msg ?? "failed" };
  }
  return { status: "processing" };
}

export function createMiniMaxClient(opts: MiniMaxClientOptions) {
  const dispatcher: Dispatcher = new Agent({
    headersTimeout: opts.createTimeoutMs ?? 120_000,
    bodyTimeout: opts.requestTimeoutMs ?? 60_000,
    connectTimeout: 10_000,
  });
  const auth = { authorization: `Bearer ${opts.apiKey}` };

  type CallInit = {
    method: "GET" | "POST";
    query?: Record<string, string>;
    body?: unknown;
    timeoutMs?: number;
    signal?: AbortSignal;
    /** A create: a gateway's 5xx may come after MiniMax took the task, so it is no proof of nothing done. */
    creates?: boolean;
  };
  async function call<T extends BaseResp>(endpoint: string, init: CallInit): Promise<T> {
    const started = performance.now();
    let code = "0";
    try {
      return await send<T>(endpoint, init);
    } catch (err) {
      code = outcomeCode(err);
      throw err;
    } finally {
      opts.observe?.(endpoint, code, (performance.now() - started) / 1000);
    }
  }

  async function send<T extends BaseResp>(endpoint: string, init: CallInit): Promise<T> {
    const url = new URL(endpoint, opts.apiBase + "/");
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: init.method,
        dispatcher,
        headers: init.body === undefined ? auth : { ...auth, "content-type": "application/json" },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        headersTimeout: init.timeoutMs,
        signal: init.signal,
      });
    } catch (err) {
      const code = (err as { code?: string }).code ?? "";
      throw new MiniMaxTransportError(`${endpoint}: ${code || (err as Error).message}`, !NOT_SENT_CODES.has(code));
    }
    if (res.statusCode >= 500 || res.statusCode === 429) {
      await res.body.dump();
      // 429 is a refusal before any work. A 502/504 may come from a gateway that passed the request
      // on and lost the answer: for a create, the task may exist.
      const maybeDone = init.creates === true && res.statusCode >= 500;
      throw new MiniMaxTransportError(`${endpoint}: HTTP ${res.statusCode}`, maybeDone, res.statusCode);
    }
    let json: T;
    try {
      json = (await res.body.json()) as T;
    } catch {
      throw new MiniMaxTransportError(`${endpoint}: HTTP ${res.statusCode} with a body that is not JSON`, res.statusCode < 400, res.statusCode);
    }
    const code = json.base_resp?.status_code ?? (res.statusCode === 200 ? 0 : res.statusCode);
    if (code !== 0) throw new MiniMaxApiError(code, json.base_resp?.status_msg ?? "", endpoint);
    return json;
  }

  return {
    /** Creates a paid task. MiniMax calls `callbackUrl` with a challenge before this returns. */
    async createVideo(input: CreateVideoInput): Promise<{ taskId: string }> {
      const json = await call<BaseResp & { task_id?: string }>("v1/video_generation", {
        method: "POST",
        creates: true,
        timeoutMs: opts.createTimeoutMs,
        body: {
          model: input.model,
          first_frame_image: input.firstFrameImage,
          prompt: input.prompt,
          ...(input.duration ? { duration: input.duration } : {}),
          ...(input.resolution ? { resolution: input.resolution } : {}),
          ...(input.promptOptimizer !== undefined ? { prompt_optimizer: input.promptOptimizer } : {}),
          ...(input.callbackUrl ? { callback_url: input.callbackUrl } : {}),
        },
      });
      if (!json.task_id) throw new MiniMaxTransportError("v1/video_generation: no task_id in the answer", true);
      return { taskId: String(json.task_id) };
    },

    async queryTask(taskId: string, signal?: AbortSignal): Promise<TaskState> {
      try {
        const json = await call<BaseResp & { status?: string; file_id?: string; video_width?: number; video_height?: number }>(
          "v1/query/video_generation",
          { method: "GET", query: { task_id: taskId }, signal },
        );
        const state = taskStateOf(json.status, json.file_id, json.base_resp);
        // The dimensions come only with a query's Success; Telegram shows the video right with them.
        return state.status === "success" ? { ...state, width: json.video_width, height: json.video_height } : state;
      } catch (err) {
        // 1026/1027 arrive as a query error for a task that failed on content grounds.
        if (err instanceof MiniMaxApiError && (err.code === 1026 || err.code === 1027)) {
          return { status: "failed", code: err.code, message: err.statusMessage };
        }
        throw err;
      }
    },

    async retrieveFile(fileId: string, signal?: AbortSignal): Promise<RetrievedFile> {
      const json = await call<BaseResp & { file?: { file_id?: number | string; bytes?: number; download_url?: string } }>(
        "v1/files/retrieve",
        { method: "GET", query: { file_id: fileId }, signal },
      );
      if (!json.file?.download_url) throw new MiniMaxTransportError("v1/files/retrieve: no download_url", false);
      return { fileId: String(json.file.file_id ?? fileId), bytes: json.file.bytes, downloadUrl: json.file.download_url };
    },

    /** Opens the video as a stream; the caller must consume or destroy `body`. */
    async openDownload(url: string, signal?: AbortSignal): Promise<{ body: Readable; contentLength: number | undefined }> {
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

    /** A part of a downloaded video (or all of it), for the studio's player: see byte-range.ts. */
    openRange: (url: string, range: ByteRange | undefined, signal?: AbortSignal) => requestRange(url, range, { dispatcher, ...(signal ? { signal } : {}) }),

    close: () => dispatcher.close(),
    /** Ends every request still open (shutdown, once leases are handed back). */
    destroy: () => dispatcher.destroy(),
  };
}

export type MiniMaxClient = ReturnType<typeof createMiniMaxClient>;
