/**
 * A fake MiniMax video API (create / query / retrieve / CDN download) on loopback, for tests that
 * run the real app against it through MINIMAX_API_BASE. It follows MiniMax's published video API (test/fixtures/minimax-api.md):
 * errors are HTTP 200 with a non-zero base_resp, the callback URL is verified with a challenge
 * *during* the create request, retrieve's file_id is a number, download URLs are signed and can expire.
 * The v2 API of section 7 (MiniMax-H3) is served beside it: a `content` array, real HTTP statuses
 * with one error shape, `{task:{…}}` queries and callbacks with a fresh video URL each time, DELETE
 * for a queued task, and at most `v2MaxInFlight` tasks queued or running at once. Section 8 beside it:
 * up to 9 `reference_image` items (never with frames, `ratio` honoured), and `/v2/video_regeneration`
 * of a finished video at 2K, queried and called back as a generation is. A v2 task can be queried
 * for 7 days (`ageTask` makes one older).
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
/** The v2 API's task statuses (contract, section 7). */
export type V2TaskStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

/** The v2 models and the resolutions each takes (contract, section 7). */
export const V2_MODELS: Record<string, readonly string[]> = { "MiniMax-H3": ["768P", "2K"], "MiniMax-H3-Max": ["480P", "768P"] };

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
  /** Which API created it; a v2 task has v2 statuses. */
  api: "v1" | "v2";
  status: TaskStatus | V2TaskStatus;
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
  /** The last frame's sha256, when one was given (v1's last_frame_image, v2's last_frame). */
  lastFrameSha256?: string;
  updatedAt?: number;
  /** v2: "generation", or "regeneration" for a video rendered again (section 8). */
  taskType?: "generation" | "regeneration";
  /** v2 references: the `ratio` asked for (with a first frame MiniMax ignores it). */
  ratio?: string;
  /** v2: the reference pictures' sha256s, in order. */
  referenceSha256s?: string[];
  /** A regeneration: the task whose video it renders again, when its base video was that task's URL. */
  baseTaskId?: string;
}

export type CreateOutcome = "accepted" | number | `http${number}` | "dropped";

/** A v2 image item as received: its role and decoded picture. */
export interface FrameRecord {
  role: "first_frame" | "last_frame" | "reference_image";
  bytes: Buffer | null;
  mime: string | null;
  sha256: string | null;
  width?: number;
  height?: number;
}

export interface CreateRecord {
  api: "v1" | "v2";
  /** v2: which create it was; a regeneration (section 8) has `baseVideo`. */
  endpoint?: "video_generation" | "video_regeneration";
  /**
   * A regeneration's base video: its URL (a data URL shortened to "data:video/mp4;base64,…"), the
   * bytes of a data URL, and the task whose signed URL it was, when it was one of this fake's.
   */
  baseVideo?: { url: string; bytes?: Buffer; taskId?: string; sha256?: string };
  /**
   * The request JSON without first_frame_image and last_frame_image ({} when the body was not a JSON object). On v2 each
   * image item's URL is replaced by "<image>"; `frames` holds the pictures.
   */
  body: Record<string, unknown>;
  /** v2: the image items, in order; v1: the last_frame_image, when one was sent. */
  frames?: FrameRecord[];
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

export interface DeleteRecord {
  taskId: string;
  /** HTTP status answered: 200 when cancelled. */
  status: number;
  at: number;
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
  /** v2: max accepted creates per window (rpmWindowMs); more → 429. Default: no limit. */
  v2Rpm?: number;
  /** v2: tasks queued or running at once; a create beyond → 429 (inferred). Default 30 (contract, section 7). */
  v2MaxInFlight?: number;
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
  /** v2 DELETE requests, in order. */
  deletes: DeleteRecord[];
  /** Moves a task's creation back by `days` (MiniMax answers queries about a v2 task for 7 days). */
  ageTask(taskId: string, days: number): void;
  /** v2: the most tasks ever queued or running at once. */
  readonly peakV2InFlight: number;

  process(taskId: string): Promise<CallbackResult | null>;
  succeed(taskId: string, video: Buffer, opts?: { width?: number; height?: number }): Promise<CallbackResult | null>;
  fail(taskId: string, code?: number, msg?: string): Promise<CallbackResult | null>;
  /** v2 tasks queued or running now. */
  v2InFlight(): number;
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
  /** v2: the next DELETE waits for `hook` on arrival, before it is answered (a task that starts as its cancel arrives). */
  beforeNextDelete(hook: () => unknown): void;
  cutNextDownload(afterBytes: number, times?: number): void;
  /** Every download of this file answers `status` (a file the CDN lost, or will not serve), until null. */
  breakDownloads(fileId: string, status: 403 | 404 | null): void;
  failNextRetrieve(code: number, times?: number): void;
  /** v1: base_resp code; v2: the error of that code, with its HTTP status (see V2_STATUS_BY_CODE). */
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
// last_frame_image is MiniMax-Hailuo-02's first-and-last-frame mode; the contract does not say
// whether 512P is offered with it, so the fake refuses that pairing: the app must send 768P or 1080P.
const LAST_FRAME_MODELS = new Set(["MiniMax-Hailuo-02"]);
const LAST_FRAME_UNDOCUMENTED_RESOLUTIONS = new Set(["512P"]);
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
  "480P": [854, 480],
  "2K": [2560, 1440],
};

/**
 * The video takes the first frame's shape at about the resolution's pixel count (contract,
 * section 1: 768P is 1366×768 for 16:9; other shapes keep about the same pixel count).
 */
/** A v2 `ratio` as a shape ("9:16" → 9×16). */
const ratioShape = (ratio: string) => {
  const [width, height] = ratio.split(":").map(Number);
  return { width: width!, height: height! };
};

function shapedDims([width, height]: [number, number], imageWidth?: number, imageHeight?: number): [number, number] {
  if (!imageWidth || !imageHeight) return [width, height];
  const ratio = imageWidth / imageHeight;
  const w = 2 * Math.round(Math.sqrt(width * height * ratio) / 2);
  return [w, 2 * Math.round((width * height) / w / 2)];
}

const CDN_CHUNK = 64 * 1024;
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
const MAX_V2_IMAGE_BYTES = 30 * 1024 * 1024;
// Base64 of nine 30 MB reference pictures plus JSON overhead (section 8).
const MAX_V2_CREATE_BODY = 9 * 41 * 1024 * 1024;
const MAX_REFERENCE_IMAGES = 9;
/** MiniMax answers queries about a v2 task for this long (section 7). */
const V2_TASK_KEPT_MS = 7 * 86_400_000;
// Base64 of a 20 MB image plus JSON overhead; anything bigger is refused outright.
const MAX_CREATE_BODY = 32 * 1024 * 1024;
const CALLBACK_TIMEOUT_MS = 10_000;

/** What differs between the two APIs' creates; the fault injection and the flow around it are shared. */
interface CreateDialect<D> {
  api: "v1" | "v2";
  maxBody: number;
  /** Reads the request (recording its picture), or refuses it. */
  decode(body: Record<string, unknown>, rec: CreateRecord): Rejection | D;
  badKey: Rejection;
  /** Everything after auth and fault injection: parameters, limits, the challenge, the task. */
  accept(body: Record<string, unknown>, decoded: D, rec: CreateRecord): Promise<Rejection | FakeTask>;
  answer(res: http.ServerResponse, rec: CreateRecord, result: Rejection | FakeTask): void;
  /** An injected HTTP failure, in the API's way. */
  answerHttp(res: http.ServerResponse, status: number): void;
}

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

/** v2: the HTTP status of an error with MiniMax's code (contract, section 7's table). */
export const V2_STATUS_BY_CODE: Record<number, number> = {
  2013: 400,
  1004: 401,
  2049: 401,
  1008: 402,
  1026: 422,
  1027: 422,
  1002: 429,
  1039: 429,
  1041: 429,
  2045: 429,
  1000: 500,
  1001: 500,
  1013: 500,
  1024: 500,
  1033: 500,
};
const V2_ERROR_TYPES: Record<number, string> = {
  400: "bad_request_error",
  401: "authorized_error",
  402: "insufficient_balance_error",
  422: "unprocessable_entity_error",
  429: "rate_limit_error",
  500: "server_error",
  529: "overloaded_error",
};
const V2_CODE_BY_STATUS: Record<number, number> = { 400: 2013, 401: 1004, 402: 1008, 422: 1026, 429: 1002, 500: 1000, 529: 1000 };

/** v2's one error shape: `{"type":"error","error":{"type","message":"… (2013)","http_code"},"request_id"}`. */
function sendV2Error(res: http.ServerResponse, status: number, message: string, code = V2_CODE_BY_STATUS[status] ?? 1000): void {
  sendJson(
    res,
    {
      type: "error",
      error: { type: V2_ERROR_TYPES[status] ?? (status >= 500 ? "server_error" : "bad_request_error"), message: `${message} (${code})`, http_code: String(status) },
      request_id: randomBytes(8).toString("hex"),
    },
    status,
  );
}

const V2_RATIOS = new Set(["adaptive", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16"]);
const V2_TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
const isSettled = (task: FakeTask) => task.status === "Success" || task.status === "Fail" || V2_TERMINAL.has(task.status);

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
  readonly deletes: DeleteRecord[] = [];
  peakV2InFlight = 0;

  private readonly server: http.Server;
  private readonly files = new Map<string, StoredFile>();
  private readonly sigs = new Map<string, { fileId: string; expired: boolean }>();
  private readonly createFaults: CreateFault[] = [];
  private readonly createHooks: Array<() => unknown> = [];
  private readonly deleteHooks: Array<() => unknown> = [];
  private readonly brokenFiles = new Map<string, number>();
  private readonly downloadCuts: number[] = [];
  private readonly retrieveFaults: number[] = [];
  private readonly queryFaults: number[] = [];
  private readonly queryDelays: number[] = [];
  /** Arrival times of accepted (or in-flight) creates, for the rate limit. */
  private readonly acceptedTimes: number[] = [];
  private readonly acceptedV2Times: number[] = [];
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
    if (req.method === "POST" && path === "/v1/video_generation") return this.handleCreate(req, res, authed, this.v1Create);
    if (req.method === "POST" && path === "/v2/video_generation") return this.handleCreate(req, res, authed, this.v2Create);
    if (req.method === "POST" && path === "/v2/video_regeneration") return this.handleCreate(req, res, authed, this.v2Regenerate);

    req.resume();
    const v2Query = /^\/v2\/query\/video_generation\/([^/]+)$/.exec(path);
    if (req.method === "GET" && v2Query) {
      const taskId = decodeURIComponent(v2Query[1]!);
      this.queries.push(taskId);
      const delay = this.queryDelays.shift();
      if (delay !== undefined) {
        await this.sleep(delay);
        if (res.destroyed) return;
      }
      return this.handleQueryV2(res, authed, taskId);
    }
    const v2Task = /^\/v2\/video_generation\/([^/]+)$/.exec(path);
    if (req.method === "DELETE" && v2Task) {
      await this.deleteHooks.shift()?.();
      return this.handleDeleteV2(res, authed, decodeURIComponent(v2Task[1]!));
    }
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

  /** v1's create: a flat body with `first_frame_image`; answers with HTTP 200 and base_resp. */
  private readonly v1Create: CreateDialect<unknown> = {
    api: "v1",
    maxBody: MAX_CREATE_BODY,
    decode: (body, rec) => {
      const rest = { ...body };
      delete rest.first_frame_image;
      delete rest.last_frame_image;
      rec.body = rest;
      const first = this.decodeImage(body.first_frame_image, rec);
      const last = body.last_frame_image === undefined ? undefined : this.decodeLastImage(body.last_frame_image, rec);
      return first instanceof Rejection ? first : (last ?? first);
    },
    badKey: new Rejection(2049, "invalid api key", "bad Authorization header"),
    accept: (body, _decoded, rec) => this.acceptCreate(body, rec),
    answer: (res, rec, result) => this.answerCreate(res, rec, result),
    answerHttp: (res, status) => {
      const text = `${status} ${http.STATUS_CODES[status] ?? "Error"}`;
      res.writeHead(status, { "content-type": "text/plain", "content-length": Buffer.byteLength(text) });
      res.end(text);
    },
  };

  /** v2's create (section 7): a `content` array; errors with real HTTP statuses in one shape. */
  private readonly v2Create: CreateDialect<{ text: string; frames: FrameRecord[] }> = {
    api: "v2",
    maxBody: MAX_V2_CREATE_BODY,
    decode: (body, rec) => this.decodeContent(body, rec),
    badKey: new Rejection(1004, "authorized error, invalid api key", "bad Authorization header"),
    accept: (body, content, rec) => this.acceptCreateV2(body, content, rec),
    answer: (res, rec, result) => this.answerCreateV2(res, rec, result),
    answerHttp: (res, status) => sendV2Error(res, status, status === 529 ? "overloaded" : (http.STATUS_CODES[status] ?? "error").toLowerCase()),
  };

  /** Section 8's regeneration: the 768P video and its prompt back into H3, rendered at 2K. */
  private readonly v2Regenerate: CreateDialect<{ text: string; base: NonNullable<CreateRecord["baseVideo"]> }> = {
    api: "v2",
    maxBody: MAX_V2_CREATE_BODY,
    decode: (body, rec) => this.decodeRegeneration(body, rec),
    badKey: this.v2Create.badKey,
    accept: (body, decoded, rec) => this.acceptRegeneration(body, decoded, rec),
    answer: (res, rec, result) => this.answerCreateV2(res, rec, result),
    answerHttp: (res, status) => this.v2Create.answerHttp(res, status),
  };

  private async handleCreate<D>(req: http.IncomingMessage, res: http.ServerResponse, authed: boolean, dialect: CreateDialect<D>): Promise<void> {
    const rec = emptyRecord(Date.now(), dialect.api);
    try {
      await this.create(req, res, authed, rec, dialect);
    } finally {
      // Recorded once the outcome is final, so a test never sees a half-handled create.
      this.createRequests.push(rec);
    }
  }

  private async create<D>(req: http.IncomingMessage, res: http.ServerResponse, authed: boolean, rec: CreateRecord, api: CreateDialect<D>): Promise<void> {
    let raw: Buffer;
    try {
      raw = await readBody(req, api.maxBody);
    } catch {
      if (!res.headersSent && !res.destroyed) api.answer(res, rec, invalid("request body too large"));
      rec.reason = "request body too large";
      return;
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString("utf8"));
    } catch {
      parsed = undefined;
    }
    // Decoded up front so the pictures are recorded even when the create is rejected.
    const decoded = isObject(parsed) ? api.decode(parsed, rec) : invalid("body is not a JSON object");

    if (!authed) return api.answer(res, rec, api.badKey);

    await this.createHooks.shift()?.();
    const fault = this.createFaults.shift();
    if (fault && "code" in fault) {
      return api.answer(res, rec, new Rejection(fault.code, baseResp(fault.code, fault.msg).status_msg, "injected fault"));
    }
    if (fault && "http" in fault) {
      if (fault.afterCreate && !(decoded instanceof Rejection)) {
        const taken = await api.accept(parsed as Record<string, unknown>, decoded, rec);
        if (!(taken instanceof Rejection)) this.startAuto(taken);
      }
      rec.outcome = `http${fault.http}`;
      rec.reason = "injected fault";
      api.answerHttp(res, fault.http);
      return;
    }

    const result = decoded instanceof Rejection ? decoded : await api.accept(parsed as Record<string, unknown>, decoded, rec);

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

    api.answer(res, rec, result);
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
    const read = this.readV1Image("first_frame_image", value);
    if ("url" in read) {
      rec.imageUrl = read.url;
      return { url: read.url };
    }
    if (read.frame) {
      rec.imageBytes = read.frame.bytes;
      rec.imageMime = read.frame.mime;
      rec.imageSha256 = read.frame.sha256;
      rec.imageWidth = read.frame.width;
      rec.imageHeight = read.frame.height;
    }
    return read.problem ?? { sha256: rec.imageSha256 ?? undefined };
  }

  /** v1's `last_frame_image` (first-and-last-frame mode): the first frame's rules; recorded in `frames` as the last frame. */
  private decodeLastImage(value: unknown, rec: CreateRecord): Rejection | undefined {
    const read = this.readV1Image("last_frame_image", value);
    if ("url" in read) return undefined;
    if (read.frame) rec.frames = [{ role: "last_frame", ...read.frame }];
    return read.problem;
  }

  /**
   * Reads one of v1's image fields: an http(s) URL, or a data URL whose bytes are checked as the real
   * API checks them (JPEG/PNG/WebP matching the declared mime, under 20 MB, short edge > 300 px, 2:5..5:2).
   */
  private readV1Image(field: string, value: unknown): { url: string } | { problem?: Rejection; frame?: Omit<FrameRecord, "role"> & { bytes: Buffer; mime: string; sha256: string } } {
    if (typeof value !== "string" || value === "") return { problem: invalid(`${field} missing or not a string`) };
    if (/^https?:\/\//i.test(value)) return { url: value };
    const m = /^data:(image\/(?:jpeg|png|webp));base64,(.*)$/s.exec(value);
    if (!m) return { problem: invalid(`${field} is neither an http(s) URL nor data:image/(jpeg|png|webp);base64: ${value.slice(0, 40)}`) };
    const mime = m[1]!;
    const b64 = m[2]!;
    // Buffer.from silently skips junk characters, so check the alphabet first.
    if (b64.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 === 1) return { problem: invalid(`${field} has invalid base64`) };
    const bytes = Buffer.from(b64, "base64");
    const frame: Omit<FrameRecord, "role"> & { bytes: Buffer; mime: string; sha256: string } = { bytes, mime, sha256: createHash("sha256").update(bytes).digest("hex") };
    try {
      const size = imageSize(bytes);
      frame.width = size.width;
      frame.height = size.height;
    } catch {
      // checked below
    }
    if (this.opts.checkImage === false) return { frame };
    const refuse = (reason: string) => ({ frame, problem: invalid(field === "first_frame_image" ? reason : `${field}: ${reason}`) });
    if (bytes.length >= MAX_IMAGE_BYTES) return refuse(`image is ${bytes.length} bytes, must be under 20 MB`);
    const kind = sniffImage(bytes);
    if (!kind) return refuse("image bytes are not JPEG, PNG or WebP");
    if (`image/${kind}` !== mime) return refuse(`data URL says ${mime} but the bytes are ${kind}`);
    if (!frame.width || !frame.height) return refuse("image dimensions unreadable");
    const short = Math.min(frame.width, frame.height);
    const ratio = frame.width / frame.height;
    if (short <= 300) return refuse(`image short edge ${short}px, must be over 300px`);
    if (ratio < 2 / 5 || ratio > 5 / 2) return refuse(`image aspect ratio ${frame.width}x${frame.height} outside 2:5..5:2`);
    return { frame };
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
    if (body.last_frame_image !== undefined && !LAST_FRAME_MODELS.has(model)) {
      return invalid(`last_frame_image is only taken by ${[...LAST_FRAME_MODELS].join(", ")}, not ${model}`);
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
    if (body.last_frame_image !== undefined && LAST_FRAME_UNDOCUMENTED_RESOLUTIONS.has(resolution)) {
      return invalid(`last_frame_image with ${resolution} is not documented; send 768P or 1080P`);
    }
    return { duration, resolution };
  }

  /** Everything after auth and fault injection: validation, rate limit, challenge, task creation. */
  private async acceptCreate(body: Record<string, unknown>, rec: CreateRecord): Promise<Rejection | FakeTask> {
    const params = this.validateParams(body);
    if (params instanceof Rejection) return params;

    const admitted = await this.rateAndChallenge(body, this.acceptedTimes, this.opts.rpm);
    if (admitted instanceof Rejection) return admitted;
    const { callbackUrl } = admitted;

    this.taskCounter += 1;
    const task: FakeTask = {
      taskId: `1069161122${String(this.taskCounter).padStart(5, "0")}`,
      api: "v1",
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
      lastFrameSha256: rec.frames?.find((f) => f.role === "last_frame")?.sha256 ?? undefined,
      createdAt: Date.now(),
    };
    this.tasks.set(task.taskId, task);
    rec.outcome = "accepted";
    rec.taskId = task.taskId;
    return task;
  }

  /**
   * Reserves a rate-limit slot at arrival so concurrent creates waiting on challenges can't
   * overshoot: a Rejection when the window is full, else a function giving the slot back (or
   * undefined without a limit).
   */
  private takeRateSlot(accepted: number[], rpm: number | undefined): Rejection | (() => void) | undefined {
    if (rpm === undefined) return undefined;
    const now = Date.now();
    const windowMs = this.opts.rpmWindowMs ?? 60_000;
    while (accepted.length > 0 && accepted[0]! <= now - windowMs) accepted.shift();
    if (accepted.length >= rpm) return new Rejection(1002, "rate limit", `more than ${rpm} creates in ${windowMs} ms`);
    accepted.push(now);
    return () => {
      const i = accepted.indexOf(now);
      if (i >= 0) accepted.splice(i, 1);
    };
  }

  /** The rate limit, then the challenge: a Rejection (the rate slot given back), or the callback URL the task keeps. */
  private async rateAndChallenge(body: Record<string, unknown>, accepted: number[], rpm: number | undefined): Promise<Rejection | { callbackUrl?: string }> {
    const slot = this.takeRateSlot(accepted, rpm);
    if (slot instanceof Rejection) return slot;
    const callbackUrl = typeof body.callback_url === "string" && body.callback_url !== "" ? body.callback_url : undefined;
    const refused = await this.challenge(callbackUrl);
    if (refused) {
      slot?.();
      return refused;
    }
    return { callbackUrl };
  }

  /** MiniMax's challenge to the callback URL during the create (section 4); a Rejection when it was not echoed. */
  private async challenge(callbackUrl: string | undefined): Promise<Rejection | null> {
    if (!callbackUrl) return null;
    const token = randomBytes(16).toString("hex");
    const result = await this.postJson(callbackUrl, { challenge: token }, this.opts.challengeTimeoutMs ?? 3000);
    const ok = result.status === 200 && isObject(result.body) && result.body.challenge === token;
    this.challenges.push({ url: callbackUrl, token, ok, result, at: Date.now() });
    if (ok) return null;
    return new Rejection(2013, "invalid params, fail to check callback url", `challenge not echoed: HTTP ${result.status} ${result.error ?? JSON.stringify(result.body)}`);
  }

  // ---------------------------------------------------------------- v2 create (section 7)

  private answerCreateV2(res: http.ServerResponse, rec: CreateRecord, result: Rejection | FakeTask): void {
    if (result instanceof Rejection) {
      rec.outcome = result.code;
      rec.reason = result.reason;
      sendV2Error(res, V2_STATUS_BY_CODE[result.code] ?? 400, result.msg, result.code);
    } else {
      sendJson(res, { task_id: result.taskId });
    }
  }

  /**
   * A v2 `content` array: records the create (the body with each `media` item's URL replaced by
   * "<image>" or "<video>"), checks its one text item (non-empty, up to 7000 characters), and gives
   * the text and the other items, or why not.
   */
  private readContent(body: Record<string, unknown>, rec: CreateRecord, endpoint: NonNullable<CreateRecord["endpoint"]>, media: "image_url" | "video_url"): Rejection | { text: string; others: unknown[] } {
    const content = body.content;
    rec.endpoint = endpoint;
    const placeholder = media === "image_url" ? "<image>" : "<video>";
    rec.body = { ...body, content: Array.isArray(content) ? content.map((item) => (isObject(item) && item.type === media ? { ...item, [media]: placeholder } : item)) : content };
    if (!Array.isArray(content)) return invalid("content is not an array");
    const texts = content.filter((item) => isObject(item) && item.type === "text");
    if (texts.length !== 1) return invalid(`content has ${texts.length} text items; exactly one is required`);
    const text = (texts[0] as Record<string, unknown>).text;
    if (typeof text !== "string" || text.trim() === "") return invalid("the text item is empty");
    if ([...text].length > 7000) return invalid(`the text has ${[...text].length} characters, max 7000`);
    return { text, others: content.filter((item) => !(isObject(item) && item.type === "text")) };
  }

  /**
   * Checks `content`: exactly one non-empty text item (up to 7000 characters) and images that are
   * first or last frames, at most one of each, a last frame only with a first, or 1 to 9 reference
   * pictures never mixed with frames (section 8); each picture a readable JPEG/PNG/WebP up to 30 MB,
   * 256 to 5760 px a side, width/height 0.4 to 2.5. Fills the record (the body with "<image>" for
   * each picture, the pictures in `frames`).
   */
  private decodeContent(body: Record<string, unknown>, rec: CreateRecord): Rejection | { text: string; frames: FrameRecord[] } {
    const read = this.readContent(body, rec, "video_generation", "image_url");
    if (read instanceof Rejection) return read;
    const { text, others: images } = read;
    const frames: FrameRecord[] = [];
    rec.frames = frames;
    const references = images.filter((item) => isObject(item) && item.role === "reference_image").length;
    if (references > 0 && references < images.length) return invalid("reference_image is never sent with first_frame or last_frame");
    if (references > MAX_REFERENCE_IMAGES) return invalid(`${references} reference images; at most ${MAX_REFERENCE_IMAGES}`);
    for (const item of images) {
      if (!isObject(item) || item.type !== "image_url") return invalid(`content item ${JSON.stringify(item).slice(0, 60)} is neither text nor image_url`);
      const role = item.role ?? (images.length === 1 ? "first_frame" : undefined);
      if (role !== "first_frame" && role !== "last_frame" && role !== "reference_image") {
        return invalid(`image role ${JSON.stringify(item.role)}: first_frame, last_frame or reference_image (a role is required with two images)`);
      }
      if (role !== "reference_image" && frames.some((f) => f.role === role)) return invalid(`more than one ${role}`);
      const url = isObject(item.image_url) ? item.image_url.url : undefined;
      const frame = this.decodeV2Image(url, role);
      frames.push(frame instanceof Rejection ? { role, bytes: null, mime: null, sha256: null } : frame);
      if (frame instanceof Rejection) return frame;
      if (role === "first_frame") {
        Object.assign(rec, { imageBytes: frame.bytes, imageMime: frame.mime, imageSha256: frame.sha256, imageWidth: frame.width, imageHeight: frame.height });
      }
    }
    if (frames.some((f) => f.role === "last_frame") && !frames.some((f) => f.role === "first_frame")) return invalid("last_frame without first_frame");
    return { text, frames };
  }

  private decodeV2Image(url: unknown, role: FrameRecord["role"]): Rejection | FrameRecord {
    if (typeof url !== "string" || url === "") return invalid(`${role}: image_url.url missing`);
    if (/^(https?|mm_file):\/\//i.test(url)) return { role, bytes: null, mime: null, sha256: null };
    const m = /^data:(image\/(?:jpeg|png|webp));base64,(.*)$/s.exec(url);
    if (!m) return invalid(`${role}: neither a URL, mm_file:// nor data:image/(jpeg|png|webp);base64`);
    const b64 = m[2]!;
    if (b64.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 === 1) return invalid(`${role}: invalid base64`);
    const bytes = Buffer.from(b64, "base64");
    const frame: FrameRecord = { role, bytes, mime: m[1]!, sha256: createHash("sha256").update(bytes).digest("hex") };
    try {
      const size = imageSize(bytes);
      frame.width = size.width;
      frame.height = size.height;
    } catch {
      // checked below
    }
    if (this.opts.checkImage === false) return frame;
    if (bytes.length > MAX_V2_IMAGE_BYTES) return invalid(`${role}: ${bytes.length} bytes, at most 30 MB`);
    const kind = sniffImage(bytes);
    if (!kind || `image/${kind}` !== frame.mime) return invalid(`${role}: the bytes are not the declared ${frame.mime}`);
    if (!frame.width || !frame.height) return invalid(`${role}: dimensions unreadable`);
    if (Math.min(frame.width, frame.height) < 256 || Math.max(frame.width, frame.height) > 5760) return invalid(`${role}: ${frame.width}x${frame.height}, each side must be 256-5760 px`);
    const ratio = frame.width / frame.height;
    if (ratio < 0.4 || ratio > 2.5) return invalid(`${role}: width/height ${ratio.toFixed(2)} outside 0.4-2.5`);
    return frame;
  }

  /** Everything after auth and fault injection: parameters, limits, challenge, the task. */
  private async acceptCreateV2(body: Record<string, unknown>, content: { text: string; frames: FrameRecord[] }, rec: CreateRecord): Promise<Rejection | FakeTask> {
    const model = body.model;
    if (typeof model !== "string" || !V2_MODELS[model]) return invalid(`model ${JSON.stringify(model)} is not a v2 video model`);
    if (typeof body.resolution !== "string" || !V2_MODELS[model]!.includes(body.resolution)) {
      return invalid(`resolution ${JSON.stringify(body.resolution)}: ${model} takes ${V2_MODELS[model]!.join(" or ")}`);
    }
    const duration = body.duration;
    if (typeof duration !== "number" || !Number.isInteger(duration) || duration < 4 || duration > 15) return invalid(`duration ${JSON.stringify(duration)}: an integer from 4 to 15 is required`);
    if (body.ratio !== undefined && (typeof body.ratio !== "string" || !V2_RATIOS.has(body.ratio))) return invalid(`ratio ${JSON.stringify(body.ratio)}`);
    const admitted = await this.admitV2(body);
    if (admitted instanceof Rejection) return admitted;
    const first = content.frames.find((f) => f.role === "first_frame");
    const references = content.frames.filter((f) => f.role === "reference_image");
    // With a first frame the video takes its shape and `ratio` is ignored; references honour it.
    const ratio = references.length ? ((body.ratio as string | undefined) ?? "adaptive") : undefined;
    const shape = first ?? (ratio && ratio !== "adaptive" ? ratioShape(ratio) : references[0]);
    return this.newV2Task(rec, {
      model,
      prompt: content.text,
      duration,
      resolution: body.resolution,
      callbackUrl: admitted.callbackUrl,
      imageSha256: first?.sha256 ?? undefined,
      imageWidth: shape?.width,
      imageHeight: shape?.height,
      lastFrameSha256: content.frames.find((f) => f.role === "last_frame")?.sha256 ?? undefined,
      ...(references.length ? { ratio, referenceSha256s: references.map((f) => f.sha256!) } : {}),
    });
  }

  /** The callback URL's form, the tasks in flight, the rate and the challenge: what every v2 create passes. */
  private async admitV2(body: Record<string, unknown>): Promise<Rejection | { callbackUrl?: string }> {
    if (body.callback_url !== undefined && (typeof body.callback_url !== "string" || !/^https?:\/\/[^/\s]+/i.test(body.callback_url))) return invalid("callback_url is not an http(s) URL");
    if (this.v2InFlight() >= (this.opts.v2MaxInFlight ?? 30)) return new Rejection(1002, "rate limit exceeded, too many tasks in flight", `${this.v2InFlight()} tasks in flight`);
    const admitted = await this.rateAndChallenge(body, this.acceptedV2Times, this.opts.v2Rpm);
    if (admitted instanceof Rejection) return admitted;
    // Checked again after the challenge's wait: another create may have taken the last place meanwhile.
    if (this.v2InFlight() >= (this.opts.v2MaxInFlight ?? 30)) return new Rejection(1002, "rate limit exceeded, too many tasks in flight", `${this.v2InFlight()} tasks in flight`);
    return admitted;
  }

  /**
   * Section 8's regeneration body: exactly one text item and one `video_url` item with the role
   * `base_video`, whose URL is an http(s) URL (one of this fake's signed URLs must still be valid)
   * or an MP4 as `data:video/mp4;base64,…`. Fills the record (the body with "<video>" for the URL).
   */
  private decodeRegeneration(body: Record<string, unknown>, rec: CreateRecord): Rejection | { text: string; base: NonNullable<CreateRecord["baseVideo"]> } {
    const read = this.readContent(body, rec, "video_regeneration", "video_url");
    if (read instanceof Rejection) return read;
    const { text, others } = read;
    const item = others[0];
    if (others.length !== 1 || !isObject(item) || item.type !== "video_url" || item.role !== "base_video") {
      return invalid("base_video is required: exactly one {type: video_url, video_url: {url}, role: base_video}");
    }
    const url = isObject(item.video_url) ? item.video_url.url : undefined;
    if (typeof url !== "string" || url === "") return invalid("base_video: video_url.url missing");
    const data = /^data:video\/mp4;base64,(.*)$/s.exec(url);
    let base: NonNullable<CreateRecord["baseVideo"]>;
    if (data) {
      const bytes = Buffer.from(data[1]!, "base64");
      if (bytes.length < 8 || bytes.toString("latin1", 4, 8) !== "ftyp") return invalid("base_video: the data URL is not an MP4");
      base = { url: "data:video/mp4;base64,…", bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
    } else if (/^https?:\/\//i.test(url)) {
      const own = this.ownFile(url);
      if (own === "invalid") return invalid("base_video: the URL has expired or cannot be fetched");
      base = { url, ...(own ? { taskId: own.taskId, sha256: createHash("sha256").update(own.video).digest("hex") } : {}) };
    } else {
      return invalid("base_video: neither an http(s) URL nor data:video/mp4;base64");
    }
    rec.baseVideo = base;
    return { text, base };
  }

  /** The file behind one of this fake's signed URLs; "invalid" when its signature expired or is unknown; undefined for another host. */
  private ownFile(url: string): StoredFile | "invalid" | undefined {
    if (!url.startsWith(`${this.baseUrl}/`)) return undefined;
    const parsed = new URL(url);
    const fileId = /^\/cdn\/(\d+)\/output\.mp4$/.exec(parsed.pathname)?.[1];
    const sig = this.sigs.get(parsed.searchParams.get("sig") ?? "");
    if (!fileId || !sig || sig.expired || sig.fileId !== fileId) return "invalid";
    return this.files.get(fileId) ?? "invalid";
  }

  /** A regeneration: H3 at 2K, no duration nor ratio (the output follows the base video). */
  private async acceptRegeneration(body: Record<string, unknown>, decoded: { text: string; base: NonNullable<CreateRecord["baseVideo"]> }, rec: CreateRecord): Promise<Rejection | FakeTask> {
    if (body.model !== "MiniMax-H3") return invalid(`model ${JSON.stringify(body.model)}: a regeneration is MiniMax-H3's`);
    if (body.resolution !== "2K") return invalid(`resolution ${JSON.stringify(body.resolution)}: a regeneration is made at 2K`);
    if (body.duration !== undefined || body.ratio !== undefined) return invalid("a regeneration takes neither duration nor ratio: the output follows the base video");
    const admitted = await this.admitV2(body);
    if (admitted instanceof Rejection) return admitted;
    const baseTask = decoded.base.taskId ? this.tasks.get(decoded.base.taskId) : undefined;
    return this.newV2Task(rec, {
      model: body.model,
      prompt: decoded.text,
      duration: baseTask?.duration ?? 5,
      resolution: "2K",
      callbackUrl: admitted.callbackUrl,
      imageWidth: baseTask?.width,
      imageHeight: baseTask?.height,
      taskType: "regeneration",
      baseTaskId: decoded.base.taskId,
    });
  }

  private newV2Task(rec: CreateRecord, fields: Omit<FakeTask, "taskId" | "api" | "status" | "createdAt">): FakeTask {
    this.taskCounter += 1;
    const now = Date.now();
    const task: FakeTask = { taskId: `4240109857${String(this.taskCounter).padStart(5, "0")}`, api: "v2", status: "queued", ...fields, createdAt: now, updatedAt: now };
    this.tasks.set(task.taskId, task);
    this.peakV2InFlight = Math.max(this.peakV2InFlight, this.v2InFlight());
    rec.outcome = "accepted";
    rec.taskId = task.taskId;
    return task;
  }

  v2InFlight(): number {
    let n = 0;
    for (const task of this.tasks.values()) if (task.api === "v2" && (task.status === "queued" || task.status === "running")) n++;
    return n;
  }

  /** A task as v2's query (and callbacks) show it; a finished one with a freshly signed URL. */
  private v2View(task: FakeTask): Record<string, unknown> {
    const at = (ms: number) => Math.floor(ms / 1000);
    return {
      id: task.taskId,
      model: task.model,
      status: task.status,
      created_at: at(task.createdAt),
      updated_at: at(task.updatedAt ?? task.createdAt),
      resolution: task.resolution,
      duration: task.duration,
      ratio: task.ratio ?? "adaptive",
      task_type: task.taskType ?? "generation",
      ...(task.status === "succeeded" ? { usage: { output_seconds: task.duration }, content: { url: this.signedUrl(task.fileId!) } } : {}),
      ...(task.status === "failed" ? { error: { code: String(task.failure?.status_code ?? 1000), message: task.failure?.status_msg ?? "failed" } } : {}),
    };
  }

  private handleQueryV2(res: http.ServerResponse, authed: boolean, taskId: string): void {
    if (!authed) return sendV2Error(res, 401, "authorized error, invalid api key", 1004);
    const fault = this.queryFaults.shift();
    if (fault !== undefined) return sendV2Error(res, V2_STATUS_BY_CODE[fault] ?? 500, DEFAULT_MSGS[fault] ?? "error", fault);
    const task = this.tasks.get(taskId);
    // Tasks can be queried for 7 days (section 7); after that MiniMax knows them no more.
    if (!task || task.api !== "v2" || Date.now() - task.createdAt > V2_TASK_KEPT_MS) return sendV2Error(res, 400, "invalid params, task not found", 2013);
    sendJson(res, { task: this.v2View(task) });
  }

  /** DELETE: a queued task is cancelled (and, MiniMax says, not charged); any other is refused. */
  private handleDeleteV2(res: http.ServerResponse, authed: boolean, taskId: string): void {
    const answer = (status: number) => this.deletes.push({ taskId, status, at: Date.now() });
    if (!authed) return (answer(401), sendV2Error(res, 401, "authorized error, invalid api key", 1004));
    const task = this.tasks.get(taskId);
    if (!task || task.api !== "v2") return (answer(400), sendV2Error(res, 400, "invalid params, task not found", 2013));
    if (task.status !== "queued") return (answer(400), sendV2Error(res, 400, `invalid params, task is ${task.status} and cannot be cancelled`, 2013));
    task.status = "cancelled";
    task.updatedAt = Date.now();
    answer(200);
    sendJson(res, { task_id: task.taskId, action: "cancel", status: "cancelled" });
    setImmediate(() => void this.notify(task, { task: this.v2View(task) }));
  }

  /** A signed CDN URL for the file, fresh (a new signature) on every call. */
  private signedUrl(fileId: string): string {
    const sig = randomBytes(12).toString("hex");
    this.sigs.set(sig, { fileId, expired: false });
    return `${this.baseUrl}/cdn/${fileId}/output.mp4?${this.opts.downloadUrlParams ? `${this.opts.downloadUrlParams}&` : ""}sig=${sig}`;
  }

  private startAuto(task: FakeTask): void {
    const auto = this.auto;
    if (!auto) return;
    const finish = () => {
      if (isSettled(task)) return; // the test settled it itself
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
    sendJson(res, {
      file: {
        file_id: Number(file.fileId), // a number here, a string everywhere else: the contract's quirk
        bytes: file.video.length,
        created_at: Math.floor(file.createdAt / 1000),
        filename: "output.mp4",
        purpose: "video_generation",
        download_url: this.signedUrl(file.fileId),
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
    const broken = this.brokenFiles.get(fileId);
    if (broken) return plain(broken, broken === 404 ? "NoSuchKey" : "AccessDenied");
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
    if (task.api === "v2") {
      task.status = "running";
      task.updatedAt = Date.now();
      return this.notify(task, { task: this.v2View(task) });
    }
    task.status = "Processing";
    return this.notify(task, { task_id: taskId, status: this.callbackStatus("processing"), base_resp: baseResp(0) });
  }

  async succeed(taskId: string, video: Buffer, opts: { width?: number; height?: number } = {}): Promise<CallbackResult | null> {
    const task = this.mustTask(taskId);
    const [dw, dh] = shapedDims(DEFAULT_DIMS[task.resolution] ?? [1366, 768], task.imageWidth, task.imageHeight);
    const fileId = String(this.nextFileId++);
    task.status = task.api === "v2" ? "succeeded" : "Success";
    task.updatedAt = Date.now();
    task.fileId = fileId;
    task.video = video;
    task.width = opts.width ?? dw;
    task.height = opts.height ?? dh;
    this.files.set(fileId, { fileId, taskId, video, createdAt: Date.now() });
    if (task.api === "v2") return this.notify(task, { task: this.v2View(task) });
    return this.notify(task, {
      task_id: taskId,
      status: this.callbackStatus("success"),
      file_id: fileId,
      base_resp: baseResp(0),
    });
  }

  async fail(taskId: string, code = 1027, msg?: string): Promise<CallbackResult | null> {
    const task = this.mustTask(taskId);
    task.failure = baseResp(code, msg);
    if (task.api === "v2") {
      task.status = "failed";
      task.updatedAt = Date.now();
      return this.notify(task, { task: this.v2View(task) });
    }
    task.status = "Fail";
    return this.notify(task, { task_id: taskId, status: this.callbackStatus("failed"), base_resp: task.failure });
  }

  ageTask(taskId: string, days: number): void {
    this.mustTask(taskId).createdAt -= days * 86_400_000;
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

  breakDownloads(fileId: string, status: 403 | 404 | null): void {
    if (status === null) this.brokenFiles.delete(fileId);
    else this.brokenFiles.set(fileId, status);
  }

  beforeNextDelete(hook: () => unknown): void {
    this.deleteHooks.push(hook);
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

function emptyRecord(at: number, api: "v1" | "v2" = "v1"): CreateRecord {
  return { api, body: {}, imageBytes: null, imageMime: null, imageSha256: null, imageUrl: null, at, outcome: 2013 };
}

export async function startFakeMiniMax(opts: FakeMiniMaxOptions = {}): Promise<FakeMiniMax> {
  const fake = new FakeMiniMaxServer(opts);
  await fake.listen();
  return fake;
}
