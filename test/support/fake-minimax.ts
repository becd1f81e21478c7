/**
 * A fake MiniMax video API (create / query / retrieve / CDN download) on loopback, for tests that
 * run the real app against it through MINIMAX_API_BASE. It follows MiniMax's published video API (test/fixtures/minimax-api.md):
 * errors are HTTP 200 with a non-zero base_resp, the callback URL is verified with a challenge
 * *during* the create request, retrieve's file_id is a number, download URLs are signed and can expire.
 */
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { imageSize } from "image-size";
export { makePng } from "./images.js";

export const IMAGE_TO_VIDEO_MODELS = [
  "MiniMax-Hailuo-02",
  "MiniMax-Hailuo-2.3",
  "MiniMax-Hailuo-2.3-Fast",
  "I2V-01",
  "I2V-01-live",
  "I2V-01-Director",
] as const;

export type TaskStatus = "Preparing" | "Queueing" | "Processing" | "Success" | "Fail";

export interface BaseResp {
  status_code: number;
  status_msg: string;
}

/** What a callback (or challenge) receiver answered; status 0 means no HTTP answer (see error). */
export interface CallbackResult {
  status: number;
  body: unknown;
  error?: string;
}

export interface FakeTask {
  taskId: string;
  status: TaskStatus;
  model: string;
  prompt?: string;
  /** Effective values, defaults applied (I2V-01*: 6 / "720P"). */
  duration: number;
  resolution: string;
  callbackUrl?: string;
  imageSha256?: string;
  imageUrl?: string;
  /** The first frame's size, when it was a readable data URL: the video takes its shape. */
  imageWidth?: number;
  imageHeight?: number;
  createdAt: number;
  fileId?: string;
  video?: Buffer;
  width?: number;
  height?: number;
  /** base_resp reported for a failed task. */
  failure?: BaseResp;
}

export type CreateOutcome = "accepted" | number | `http${number}` | "dropped";

export interface CreateRecord {
  /** The request JSON without first_frame_image ({} when the body was not a JSON object). */
  body: Record<string, unknown>;
  imageBytes: Buffer | null;
  /** The mime type declared in the data URL. */
  imageMime: string | null;
  imageSha256: string | null;
  /** Set when first_frame_image was an http(s) URL instead of a data URL. */
  imageUrl: string | null;
  imageWidth?: number;
  imageHeight?: number;
  at: number;
  outcome: CreateOutcome;
  /** Why the fake rejected it (for debugging failing tests). */
  reason?: string;
  taskId?: string;
}

export interface ChallengeRecord {
  url: string;
  token: string;
  ok: boolean;
  result: CallbackResult;
  at: number;
}

export interface CallbackRecord {
  url: string;
  body: Record<string, unknown>;
  at: number;
  result: CallbackResult;
}

export interface DownloadRecord {
  fileId: string;
  sig: string;
  /** HTTP status the CDN answered (200, 206, 403, 404, 416). */
  status: number;
  range?: string;
  bytesSent: number;
  completed: boolean;
  /** When the download began and when its response ended or its connection closed (ms since epoch). */
  startedAt: number;
  endedAt?: number;
}

/**
 * `http`: answer with that status instead of a result; with `afterCreate` the task is created first
 * (a gateway that passed the request on, then failed to relay the answer).
 */
export type CreateFault = { code: number; msg?: string } | { http: number; afterCreate?: boolean } | { drop: true } | { delayMs: number };

export interface FakeMiniMaxOptions {
  apiKey?: string;
  /** Max accepted creates per window (default window 60 s); more → 1002 rate limit. */
  rpm?: number;
  /** Length of the rate-limit window, to test queueing without waiting a minute. Default 60000. */
  rpmWindowMs?: number;
  /** Case of callback status values: "lower" (default: processing/success/failed) or "title". */
  callbackCase?: "lower" | "title";
  /** How long the callback receiver has to echo the challenge. Default 3000 (the contract). */
  challengeTimeoutMs?: number;
  /**
   * Check the decoded first frame like the real API: bytes are JPEG/PNG/WebP matching the declared
   * mime, under 20 MB, short edge > 300 px, aspect ratio within 2:5..5:2. Default true.
   */
  checkImage?: boolean;
  /**
   * Query parameters put before `sig` in every signed download URL, as a CDN's signing adds its
   * own (Expires, OSSAccessKeyId, response-content-disposition …). Default none.
   */
  downloadUrlParams?: string;
}

export interface FakeMiniMax {
  baseUrl: string;
  apiKey: string;
  createRequests: CreateRecord[];
  queries: string[];
  retrieves: string[];
  downloads: DownloadRecord[];
  challenges: ChallengeRecord[];
  callbacks: CallbackRecord[];
  tasks: Map<string, FakeTask>;

  process(taskId: string): Promise<CallbackResult | null>;
  succeed(taskId: string, video: Buffer, opts?: { width?: number; height?: number }): Promise<CallbackResult | null>;
  fail(taskId: string, code?: number, msg?: string): Promise<CallbackResult | null>;
  suppressCallbacks(on: boolean): void;
  autoComplete(opts: { afterMs: number; video: (task: FakeTask) => Buffer } | null): void;
  waitForTasks(n: number, timeoutMs?: number): Promise<FakeTask[]>;
  waitFor(check: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  sendCallback(url: string, body: unknown): Promise<CallbackResult>;

  failNextCreate(outcome: CreateFault, times?: number): void;
  /**
   * The next authorised create waits for `hook` on arrival, before the challenge and the task: a
   * test acts at the moment the request is on the wire (cuts the app's database, say).
   */
  beforeNextCreate(hook: () => unknown): void;
  cutNextDownload(afterBytes: number, times?: number): void;
  failNextRetrieve(code: number, times?: number): void;
  failNextQuery(code: number, times?: number): void;
  expireDownloadUrls(): void;
  /**
   * Limits CDN downloads to about `bytesPerSecond` (null: full speed). Applies at once, also to
   * downloads already streaming, so a test can slow one down, act mid-stream, then unthrottle.
   */
  throttleDownloads(bytesPerSecond: number | null): void;
  /** The next `times` status queries are answered only after `ms` (a MiniMax that hangs). */
  delayNextQuery(ms: number, times?: number): void;

  close(): Promise<void>;
}

const DEFAULT_MSGS: Record<number, string> = {
  0: "success",
  1000: "unknown error",
  1001: "request timeout",
  1002: "rate limit",
  1004: "not authorized",
  1008: "insufficient balance",
  1013: "internal service error",
  1024: "internal error",
  1026: "input new_sensitive",
  1027: "output new_sensitive",
  1033: "system error",
  1039: "token limit",
  1041: "conn limit",
  2013: "invalid params",
  2045: "rate growth limit",
  2049: "invalid api key",
  2056: "usage limit exceeded",
};

function baseResp(code: number, msg?: string): BaseResp {
  return { status_code: code, status_msg: msg ?? DEFAULT_MSGS[code] ?? "error" };
}

// Allowed duration → resolutions per Hailuo model; I2V-01* take neither field (720P, 6 s).
const HAILUO_COMBOS: Record<string, Record<number, readonly string[]>> = {
  "MiniMax-Hailuo-02": { 6: ["512P", "768P", "1080P"], 10: ["512P", "768P"] },
  "MiniMax-Hailuo-2.3": { 6: ["768P", "1080P"], 10: ["768P"] },
  "MiniMax-Hailuo-2.3-Fast": { 6: ["768P", "1080P"], 10: ["768P"] },
};
const I2V01_MODELS = new Set(["I2V-01", "I2V-01-live", "I2V-01-Director"]);

// Default output dimensions per resolution when a test doesn't give them to succeed().
const DEFAULT_DIMS: Record<string, [number, number]> = {
  "512P": [912, 512],
  "720P": [1280, 720],
  "768P": [1366, 768],
  "1080P": [1920, 1080],
};

/**
 * The video takes the first frame's shape at about the resolution's pixel count (contract,
 * section 1: 768P is 1366×768 for 16:9; other shapes keep about the same pixel count).
 */
function shapedDims([width, height]: [number, number], imageWidth?: number, imageHeight?: number): [number, number] {
  if (!imageWidth || !imageHeight) return [width, height];
  const ratio = imageWidth / imageHeight;
  const w = 2 * Math.round(Math.sqrt(width * height * ratio) / 2);
  return [w, 2 * Math.round((width * height) / w / 2)];
}

const CDN_CHUNK = 64 * 1024;
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
// Base64 of a 20 MB image plus JSON overhead; anything bigger is refused outright.
const MAX_CREATE_BODY = 32 * 1024 * 1024;
const CALLBACK_TIMEOUT_MS = 10_000;

class Rejection {
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly reason: string,
  ) {}
}

function invalid(reason: string, msg = "invalid params"): Rejection {
  return new Rejection(2013, msg, reason);
}

function sniffImage(bytes: Buffer): "jpeg" | "png" | "webp" | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return "png";
  }
  if (bytes.length >= 12 && bytes.toString("latin1", 0, 4) === "RIFF" && bytes.toString("latin1", 8, 12) === "WEBP") {
    return "webp";
  }
  return null;
}

function parseMaybeJson(buf: Buffer): unknown {
  const text = buf.toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function sendJson(res: http.ServerResponse, body: unknown, status = 200): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": payload.length });
  res.end(payload);
}

/** Writes one chunk and waits until it is flushed to the socket (or the response died): backpressure. */
function writeChunk(res: http.ServerResponse, chunk: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = () => resolve(false);
    res.once("close", onClose);
    res.write(chunk, (err) => {
      res.off("close", onClose);
      resolve(!err);
    });
  });
}


/** Bytes that start like an MP4 (ftyp box) followed by random filler, `size` bytes long. */
export function makeFakeMp4(size = 256 * 1024): Buffer {
  const head = Buffer.from("000000186674797069736f6d0000020069736f6d69736f32", "hex");
  const out = randomBytes(Math.max(size, head.length));
  head.copy(out, 0);
  return out;
}

/** `data:<mime>;base64,...` for a first_frame_image. */
export function toDataUrl(bytes: Buffer, mime = "image/png"): string {
  return `data:${mime};base64,${bytes.toString("base64")}`;
}

interface StoredFile {
  fileId: string;
  taskId: string;
  video: Buffer;
  createdAt: number;
}

class FakeMiniMaxServer implements FakeMiniMax {
  baseUrl = "";
  readonly apiKey: string;
  readonly createRequests: CreateRecord[] = [];
  readonly queries: string[] = [];
  readonly retrieves: string[] = [];
  readonly downloads: DownloadRecord[] = [];
  readonly challenges: ChallengeRecord[] = [];
  readonly callbacks: CallbackRecord[] = [];
  readonly tasks = new Map<string, FakeTask>();

  private readonly server: http.Server;
  private readonly files = new Map<string, StoredFile>();
  private readonly sigs = new Map<string, { fileId: string; expired: boolean }>();
  private readonly createFaults: CreateFault[] = [];
  private readonly createHooks: Array<() => unknown> = [];
  private readonly downloadCuts: number[] = [];
  private readonly retrieveFaults: number[] = [];
  private readonly queryFaults: number[] = [];
  private readonly queryDelays: number[] = [];
  /** Arrival times of accepted (or in-flight) creates, for the rate limit. */
  private readonly acceptedTimes: number[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly outgoing = new Set<http.ClientRequest>();
  private readonly sockets = new Set<Socket>();
  private taskCounter = 0;
  private nextFileId = 176844028768320;
  private callbacksSuppressed = false;
  private downloadRate: number | null = null;
  private auto: { afterMs: number; video: (task: FakeTask) => Buffer } | null = null;
  private closed = false;

  constructor(private readonly opts: FakeMiniMaxOptions) {
    this.apiKey = opts.apiKey ?? "test-minimax-key";
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // A bug in the fake should surface as a 500, not as a hung request.
        if (!res.headersSent) sendJson(res, { error: String(err) }, 500);
        else res.destroy();
      });
    });
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  // ---------------------------------------------------------------- routing

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const path = url.pathname;

    // The CDN is reached through the signed URL alone, without the API key (like a real signed URL).
    const cdn = /^\/cdn\/(\d+)\/output\.mp4$/.exec(path);
    if (cdn && (req.method === "GET" || req.method === "HEAD")) {
      return this.handleCdn(req, res, cdn[1]!, url.searchParams.get("sig") ?? "");
    }

    const authed = req.headers.authorization === `Bearer ${this.apiKey}`;
    if (req.method === "POST" && path === "/v1/video_generation") return this.handleCreate(req, res, authed);

    req.resume();
    if (req.method === "GET" && path === "/v1/query/video_generation") {
      const taskId = url.searchParams.get("task_id") ?? "";
      this.queries.push(taskId); // on arrival, also when the answer is delayed
      const delay = this.queryDelays.shift();
      if (delay !== undefined) {
        await this.sleep(delay);
        if (res.destroyed) return;
      }
      return this.handleQuery(res, authed, taskId);
    }
    if (req.method === "GET" && path === "/v1/files/retrieve") {
      return this.handleRetrieve(res, authed, url.searchParams.get("file_id") ?? "");
    }
    sendJson(res, { error: `fake MiniMax: no route for ${req.method} ${path}` }, 404);
  }

  // ---------------------------------------------------------------- create

  private async handleCreate(req: http.IncomingMessage, res: http.ServerResponse, authed: boolean): Promise<void> {
    const rec = emptyRecord(Date.now());
    try {
      await this.create(req, res, authed, rec);
    } finally {
      // Recorded once the outcome is final, so a test never sees a half-handled create.
      this.createRequests.push(rec);
    }
  }

  private async create(req: http.IncomingMessage, res: http.ServerResponse, authed: boolean, rec: CreateRecord): Promise<void> {
    let raw: Buffer;
    try {
      raw = await readBody(req, MAX_CREATE_BODY);
    } catch {
      rec.reason = "request body too large";
      if (!res.headersSent && !res.destroyed) sendJson(res, { base_resp: baseResp(2013) });
      return;
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString("utf8"));
    } catch {
      parsed = undefined;
    }
    if (isObject(parsed)) {
      const rest = { ...parsed };
      delete rest.first_frame_image;
      rec.body = rest;
    }
    // Decode the image up front so it is recorded even when the create is rejected.
    const image = isObject(parsed) ? this.decodeImage(parsed.first_frame_image, rec) : invalid("body is not a JSON object");

    if (!authed) return this.answerCreate(res, rec, new Rejection(2049, "invalid api key", "bad Authorization header"));

    await this.createHooks.shift()?.();
    const fault = this.createFaults.shift();
    if (fault && "code" in fault) {
      return this.answerCreate(res, rec, new Rejection(fault.code, baseResp(fault.code, fault.msg).status_msg, "injected fault"));
    }
    if (fault && "http" in fault) {
      if (fault.afterCreate && !(image instanceof Rejection)) {
        const taken = await this.acceptCreate(parsed as Record<string, unknown>, rec);
        if (!(taken instanceof Rejection)) this.startAuto(taken);
      }
      rec.outcome = `http${fault.http}`;
      rec.reason = "injected fault";
      const text = `${fault.http} ${http.STATUS_CODES[fault.http] ?? "Error"}`;
      res.writeHead(fault.http, { "content-type": "text/plain", "content-length": Buffer.byteLength(text) });
      res.end(text);
      return;
    }

    const result = image instanceof Rejection ? image : await this.acceptCreate(parsed as Record<string, unknown>, rec);

    if (fault && "drop" in fault) {
      // The request reached MiniMax (and may have created a task); only the answer is lost.
      rec.outcome = "dropped";
      if (result instanceof Rejection) rec.reason = `dropped; would have answered ${result.code}: ${result.reason}`;
      res.socket?.destroy();
      if (!(result instanceof Rejection)) this.startAuto(result);
      return;
    }
    if (fault && "delayMs" in fault) await this.sleep(fault.delayMs);
    if (this.closed) return;

    this.answerCreate(res, rec, result);
    if (!(result instanceof Rejection)) this.startAuto(result);
  }

  private answerCreate(res: http.ServerResponse, rec: CreateRecord, result: Rejection | FakeTask): void {
    if (result instanceof Rejection) {
      rec.outcome = result.code;
      rec.reason = result.reason;
      sendJson(res, { task_id: "", base_resp: baseResp(result.code, result.msg) });
    } else {
      sendJson(res, { task_id: result.taskId, base_resp: baseResp(0) });
    }
  }

  /** Validates `first_frame_image`, filling the record; returns a Rejection or the decoded form. */
  private decodeImage(value: unknown, rec: CreateRecord): Rejection | { sha256?: string; url?: string } {
    if (typeof value !== "string" || value === "") return invalid("first_frame_image missing or not a string");
    if (/^https?:\/\//i.test(value)) {
      rec.imageUrl = value;
      return { url: value };
    }
    const m = /^data:(image\/(?:jpeg|png|webp));base64,(.*)$/s.exec(value);
    if (!m) return invalid(`first_frame_image is neither an http(s) URL nor data:image/(jpeg|png|webp);base64: ${value.slice(0, 40)}`);
    const mime = m[1]!;
    const b64 = m[2]!;
    // Buffer.from silently skips junk characters, so check the alphabet first.
    if (b64.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 === 1) {
      return invalid("first_frame_image has invalid base64");
    }
    const bytes = Buffer.from(b64, "base64");
    rec.imageBytes = bytes;
    rec.imageMime = mime;
    rec.imageSha256 = createHash("sha256").update(bytes).digest("hex");

    let dims: { width: number; height: number } | undefined;
    try {
      const s = imageSize(bytes);
      dims = { width: s.width, height: s.height };
      rec.imageWidth = s.width;
      rec.imageHeight = s.height;
    } catch {
      dims = undefined;
    }
    if (this.opts.checkImage !== false) {
      if (bytes.length >= MAX_IMAGE_BYTES) return invalid(`image is ${bytes.length} bytes, must be under 20 MB`);
      const kind = sniffImage(bytes);
      if (!kind) return invalid("image bytes are not JPEG, PNG or WebP");
      if (`image/${kind}` !== mime) return invalid(`data URL says ${mime} but the bytes are ${kind}`);
      if (!dims) return invalid("image dimensions unreadable");
      const short = Math.min(dims.width, dims.height);
      const ratio = dims.width / dims.height;
      if (short <= 300) return invalid(`image short edge ${short}px, must be over 300px`);
      if (ratio < 2 / 5 || ratio > 5 / 2) return invalid(`image aspect ratio ${dims.width}x${dims.height} outside 2:5..5:2`);
    }
    return { sha256: rec.imageSha256 };
  }

  private validateParams(body: Record<string, unknown>): Rejection | { duration: number; resolution: string } {
    const model = body.model;
    if (typeof model !== "string" || !(IMAGE_TO_VIDEO_MODELS as readonly string[]).includes(model)) {
      return invalid(`model ${JSON.stringify(model)} is not an image-to-video model`);
    }
    if (body.prompt !== undefined) {
      if (typeof body.prompt !== "string") return invalid("prompt is not a string");
      const len = [...body.prompt].length;
      if (len > 2000) return invalid(`prompt has ${len} characters, max 2000`);
    }
    for (const key of ["prompt_optimizer", "fast_pretreatment"]) {
      if (body[key] !== undefined && typeof body[key] !== "boolean") return invalid(`${key} is not a boolean`);
    }
    if (body.callback_url !== undefined && body.callback_url !== "") {
      if (typeof body.callback_url !== "string" || !/^https?:\/\/[^/\s]+/i.test(body.callback_url)) {
        return invalid("callback_url is not an http(s) URL");
      }
    }
    if (I2V01_MODELS.has(model)) {
      if (body.duration !== undefined || body.resolution !== undefined) {
        return invalid(`${model} takes neither duration nor resolution`);
      }
      return { duration: 6, resolution: "720P" };
    }
    const duration = body.duration ?? 6;
    const resolution = body.resolution ?? "768P";
    const combos = HAILUO_COMBOS[model]!;
    if (typeof duration !== "number" || !combos[duration]) return invalid(`duration ${JSON.stringify(duration)} not allowed for ${model}`);
    if (typeof resolution !== "string" || !combos[duration]!.includes(resolution)) {
      return invalid(`resolution ${JSON.stringify(resolution)} not allowed for ${model} at ${duration} s`);
    }
    return { duration, resolution };
  }

  /** Everything after auth and fault injection: validation, rate limit, challenge, task creation. */
  private async acceptCreate(body: Record<string, unknown>, rec: CreateRecord): Promise<Rejection | FakeTask> {
    const params = this.validateParams(body);
    if (params instanceof Rejection) return params;

    // Reserve a rate-limit slot at arrival so concurrent creates waiting on challenges can't overshoot.
    let slot: number | undefined;
    if (this.opts.rpm !== undefined) {
      const now = Date.now();
      const windowMs = this.opts.rpmWindowMs ?? 60_000;
      while (this.acceptedTimes.length > 0 && this.acceptedTimes[0]! <= now - windowMs) this.acceptedTimes.shift();
      if (this.acceptedTimes.length >= this.opts.rpm) {
        return new Rejection(1002, "rate limit", `more than ${this.opts.rpm} creates in ${windowMs} ms`);
      }
      slot = now;
      this.acceptedTimes.push(now);
    }
    const releaseSlot = () => {
      if (slot === undefined) return;
      const i = this.acceptedTimes.indexOf(slot);
      if (i >= 0) this.acceptedTimes.splice(i, 1);
    };

    const callbackUrl = typeof body.callback_url === "string" && body.callback_url !== "" ? body.callback_url : undefined;
    if (callbackUrl) {
      const token = randomBytes(16).toString("hex");
      const result = await this.postJson(callbackUrl, { challenge: token }, this.opts.challengeTimeoutMs ?? 3000);
      const ok = result.status === 200 && isObject(result.body) && result.body.challenge === token;
      this.challenges.push({ url: callbackUrl, token, ok, result, at: Date.now() });
      if (!ok) {
        releaseSlot();
        return new Rejection(
          2013,
          "invalid params, fail to check callback url",
          `challenge not echoed: HTTP ${result.status} ${result.error ?? JSON.stringify(result.body)}`,
        );
      }
    }

    this.taskCounter += 1;
    const task: FakeTask = {
      taskId: `1069161122${String(this.taskCounter).padStart(5, "0")}`,
      status: "Queueing",
      model: body.model as string,
      prompt: typeof body.prompt === "string" ? body.prompt : undefined,
      duration: params.duration,
      resolution: params.resolution,
      callbackUrl,
      imageSha256: rec.imageSha256 ?? undefined,
      imageUrl: rec.imageUrl ?? undefined,
      imageWidth: rec.imageWidth,
      imageHeight: rec.imageHeight,
      createdAt: Date.now(),
    };
    this.tasks.set(task.taskId, task);
    rec.outcome = "accepted";
    rec.taskId = task.taskId;
    return task;
  }

  private startAuto(task: FakeTask): void {
    const auto = this.auto;
    if (!auto) return;
    const finish = () => {
      if (task.status === "Success" || task.status === "Fail") return; // the test settled it itself
      let video: Buffer;
      try {
        video = auto.video(task);
      } catch (err) {
        void this.fail(task.taskId, 1000, `autoComplete video() threw: ${String(err)}`);
        return;
      }
      void this.succeed(task.taskId, video);
    };
    // After the create answer is on its way, so the app knows the task id before the first callback;
    // the success timer starts once the "processing" callback is answered, so callbacks arrive in order.
    setImmediate(() => {
      if (this.closed) return;
      void this.process(task.taskId).then(() => this.later(auto.afterMs, finish));
    });
  }

  // ---------------------------------------------------------------- query / retrieve

  private handleQuery(res: http.ServerResponse, authed: boolean, taskId: string): void {
    if (!authed) return sendJson(res, { task_id: taskId, base_resp: baseResp(2049) });
    const fault = this.queryFaults.shift();
    if (fault !== undefined) return sendJson(res, { task_id: taskId, base_resp: baseResp(fault) });
    const task = this.tasks.get(taskId);
    if (!task) return sendJson(res, { task_id: taskId, base_resp: baseResp(2013) });
    if (task.status === "Success") {
      return sendJson(res, {
        task_id: task.taskId,
        status: task.status,
        file_id: task.fileId,
        video_width: task.width,
        video_height: task.height,
        base_resp: baseResp(0),
      });
    }
    if (task.status === "Fail") {
      return sendJson(res, { task_id: task.taskId, status: task.status, base_resp: task.failure ?? baseResp(1027) });
    }
    sendJson(res, { task_id: task.taskId, status: task.status, base_resp: baseResp(0) });
  }

  private handleRetrieve(res: http.ServerResponse, authed: boolean, fileId: string): void {
    this.retrieves.push(fileId);
    if (!authed) return sendJson(res, { base_resp: baseResp(2049) });
    const fault = this.retrieveFaults.shift();
    if (fault !== undefined) return sendJson(res, { base_resp: baseResp(fault) });
    const file = this.files.get(fileId);
    if (!file) return sendJson(res, { base_resp: baseResp(2013) });
    // A fresh signature on every retrieve, like a real signed URL.
    const sig = randomBytes(12).toString("hex");
    this.sigs.set(sig, { fileId, expired: false });
    sendJson(res, {
      file: {
        file_id: Number(file.fileId), // a number here, a string everywhere else: the contract's quirk
        bytes: file.video.length,
        created_at: Math.floor(file.createdAt / 1000),
        filename: "output.mp4",
        purpose: "video_generation",
        download_url: `${this.baseUrl}/cdn/${file.fileId}/output.mp4?${this.opts.downloadUrlParams ? `${this.opts.downloadUrlParams}&` : ""}sig=${sig}`,
      },
      base_resp: baseResp(0),
    });
  }

  // ---------------------------------------------------------------- CDN

  private async handleCdn(req: http.IncomingMessage, res: http.ServerResponse, fileId: string, sig: string): Promise<void> {
    req.resume();
    const isGet = req.method === "GET";
    const rec: DownloadRecord = { fileId, sig, status: 0, bytesSent: 0, completed: false, startedAt: Date.now() };
    res.once("close", () => {
      rec.endedAt = Date.now();
    });
    const plain = (status: number, text: string) => {
      rec.status = status;
      res.writeHead(status, { "content-type": "text/plain", "content-length": Buffer.byteLength(text) });
      res.end(isGet ? text : undefined);
    };
    if (isGet) this.downloads.push(rec);

    const file = this.files.get(fileId);
    if (!file) return plain(404, "NoSuchKey");
    const grant = this.sigs.get(sig);
    if (!grant || grant.fileId !== fileId) return plain(403, "AccessDenied: bad signature");
    if (grant.expired) return plain(403, "AccessDenied: Request has expired");

    // Single byte ranges are supported so an app may resume a broken download.
    const size = file.video.length;
    let start = 0;
    let end = size; // exclusive
    let status = 200;
    const range = req.headers.range;
    if (range) {
      rec.range = range;
      const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      if (m && (m[1] !== "" || m[2] !== "")) {
        if (m[1] === "") {
          start = Math.max(0, size - Number(m[2]));
        } else {
          start = Number(m[1]);
          if (m[2] !== "") end = Math.min(size, Number(m[2]) + 1);
        }
        if (start >= size || start >= end) {
          rec.status = 416;
          res.writeHead(416, { "content-range": `bytes */${size}`, "content-length": 0 });
          res.end();
          return;
        }
        status = 206;
      }
    }

    const headers: http.OutgoingHttpHeaders = {
      "content-type": "video/mp4",
      "content-length": end - start,
      "accept-ranges": "bytes",
    };
    if (status === 206) headers["content-range"] = `bytes ${start}-${end - 1}/${size}`;
    rec.status = status;
    res.writeHead(status, headers);
    if (!isGet) {
      res.end();
      return;
    }

    // Content-Length stays the full size; a cut download just stops and kills the socket.
    const cut = this.downloadCuts.shift();
    const stopAt = cut === undefined ? end : Math.min(end, start + cut);
    // Throttled writes are paced against the clock since the rate was set, not one pause per write,
    // so timers firing late on a busy machine do not pull the average below the rate.
    let pace: { rate: number; at: number; off: number } | undefined;
    for (let off = start; off < stopAt; ) {
      const rate = this.downloadRate;
      if (rate !== (pace?.rate ?? null)) pace = rate === null ? undefined : { rate, at: Date.now(), off };
      // Throttled: at least ten small writes a second.
      const size = rate === null ? CDN_CHUNK : Math.max(1, Math.min(CDN_CHUNK, Math.floor(rate / 10)));
      const chunk = file.video.subarray(off, Math.min(off + size, stopAt));
      if (!(await writeChunk(res, chunk))) return;
      rec.bytesSent += chunk.length;
      off += chunk.length;
      if (pace && off < stopAt) {
        const due = pace.at + ((off - pace.off) / pace.rate) * 1000;
        if (!(await this.pause(res, Math.max(0, due - Date.now())))) return;
      }
    }
    if (cut !== undefined && stopAt < end) {
      res.socket?.destroy();
      return;
    }
    res.end(() => {
      rec.completed = true;
    });
  }

  // ---------------------------------------------------------------- task lifecycle (test control)

  private mustTask(taskId: string): FakeTask {
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`fake MiniMax: unknown task ${taskId}`);
    return task;
  }

  private callbackStatus(s: "processing" | "success" | "failed"): string {
    return this.opts.callbackCase === "title" ? s[0]!.toUpperCase() + s.slice(1) : s;
  }

  private async notify(task: FakeTask, body: Record<string, unknown>): Promise<CallbackResult | null> {
    if (!task.callbackUrl || this.callbacksSuppressed || this.closed) return null;
    const result = await this.postJson(task.callbackUrl, body, CALLBACK_TIMEOUT_MS);
    this.callbacks.push({ url: task.callbackUrl, body, at: Date.now(), result });
    return result;
  }

  async process(taskId: string): Promise<CallbackResult | null> {
    const task = this.mustTask(taskId);
    task.status = "Processing";
    return this.notify(task, { task_id: taskId, status: this.callbackStatus("processing"), base_resp: baseResp(0) });
  }

  async succeed(taskId: string, video: Buffer, opts: { width?: number; height?: number } = {}): Promise<CallbackResult | null> {
    const task = this.mustTask(taskId);
    const [dw, dh] = shapedDims(DEFAULT_DIMS[task.resolution] ?? [1366, 768], task.imageWidth, task.imageHeight);
    const fileId = String(this.nextFileId++);
    task.status = "Success";
    task.fileId = fileId;
    task.video = video;
    task.width = opts.width ?? dw;
    task.height = opts.height ?? dh;
    this.files.set(fileId, { fileId, taskId, video, createdAt: Date.now() });
    return this.notify(task, {
      task_id: taskId,
      status: this.callbackStatus("success"),
      file_id: fileId,
      base_resp: baseResp(0),
    });
  }

  async fail(taskId: string, code = 1027, msg?: string): Promise<CallbackResult | null> {
    const task = this.mustTask(taskId);
    task.status = "Fail";
    task.failure = baseResp(code, msg);
    return this.notify(task, { task_id: taskId, status: this.callbackStatus("failed"), base_resp: task.failure });
  }

  suppressCallbacks(on: boolean): void {
    this.callbacksSuppressed = on;
  }

  autoComplete(opts: { afterMs: number; video: (task: FakeTask) => Buffer } | null): void {
    this.auto = opts;
  }

  async waitFor(check: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (this.closed) throw new Error(`fake MiniMax closed while waiting for ${what}`);
      if (Date.now() > deadline) throw new Error(`fake MiniMax: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async waitForTasks(n: number, timeoutMs = 10_000): Promise<FakeTask[]> {
    await this.waitFor(() => this.tasks.size >= n, timeoutMs, `${n} tasks (have ${this.tasks.size})`);
    return [...this.tasks.values()];
  }

  sendCallback(url: string, body: unknown): Promise<CallbackResult> {
    return this.postJson(url, body, CALLBACK_TIMEOUT_MS);
  }

  // ---------------------------------------------------------------- fault injection

  failNextCreate(outcome: CreateFault, times = 1): void {
    for (let i = 0; i < times; i++) this.createFaults.push(outcome);
  }

  beforeNextCreate(hook: () => unknown): void {
    this.createHooks.push(hook);
  }

  cutNextDownload(afterBytes: number, times = 1): void {
    for (let i = 0; i < times; i++) this.downloadCuts.push(afterBytes);
  }

  failNextRetrieve(code: number, times = 1): void {
    for (let i = 0; i < times; i++) this.retrieveFaults.push(code);
  }

  failNextQuery(code: number, times = 1): void {
    for (let i = 0; i < times; i++) this.queryFaults.push(code);
  }

  expireDownloadUrls(): void {
    for (const grant of this.sigs.values()) grant.expired = true;
  }

  delayNextQuery(ms: number, times = 1): void {
    for (let i = 0; i < times; i++) this.queryDelays.push(ms);
  }

  throttleDownloads(bytesPerSecond: number | null): void {
    if (bytesPerSecond !== null && !(bytesPerSecond > 0)) throw new Error("throttleDownloads: bytesPerSecond must be positive or null");
    this.downloadRate = bytesPerSecond;
  }

  // ---------------------------------------------------------------- plumbing

  private later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  /** Waits `ms` between two throttled writes; false when the response closed or the fake shut down meanwhile. */
  private pause(res: http.ServerResponse, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.closed || res.destroyed) return resolve(false);
      const onClose = () => {
        clearTimeout(t);
        this.timers.delete(t);
        resolve(false);
      };
      const t = setTimeout(() => {
        this.timers.delete(t);
        res.off("close", onClose);
        resolve(!this.closed);
      }, ms);
      this.timers.add(t);
      res.once("close", onClose);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(ms, resolve));
  }

  /**
   * POSTs JSON with node:http(s) on a fresh connection (agent: false), so a test's undici global
   * dispatcher (e.g. a MockAgent) can't intercept the fake's callbacks, and no keep-alive socket
   * lingers into the app's shutdown. `timeoutMs` bounds the whole exchange.
   */
  private postJson(url: string, body: unknown, timeoutMs: number): Promise<CallbackResult> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({ status: 0, body: null, error: `invalid URL ${url}` });
        return;
      }
      const mod = target.protocol === "https:" ? https : target.protocol === "http:" ? http : null;
      if (!mod) {
        resolve({ status: 0, body: null, error: `unsupported protocol ${target.protocol}` });
        return;
      }
      const payload = Buffer.from(JSON.stringify(body));
      let settled = false;
      const done = (r: CallbackResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.outgoing.delete(req);
        resolve(r);
      };
      const req = mod.request(
        target,
        {
          method: "POST",
          agent: false,
          headers: {
            "content-type": "application/json",
            "content-length": payload.length,
            "user-agent": "fake-minimax",
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => done({ status: res.statusCode ?? 0, body: parseMaybeJson(Buffer.concat(chunks)) }));
          res.on("error", (e) => done({ status: 0, body: null, error: e.message }));
        },
      );
      const timer = setTimeout(() => req.destroy(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
      this.outgoing.add(req);
      req.on("error", (e) => done({ status: 0, body: null, error: e.message }));
      req.end(payload);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.auto = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const req of this.outgoing) req.destroy(new Error("fake MiniMax closed"));
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await done;
  }
}

function emptyRecord(at: number): CreateRecord {
  return { body: {}, imageBytes: null, imageMime: null, imageSha256: null, imageUrl: null, at, outcome: 2013 };
}

export async function startFakeMiniMax(opts: FakeMiniMaxOptions = {}): Promise<FakeMiniMax> {
  const fake = new FakeMiniMaxServer(opts);
  await fake.listen();
  return fake;
}
