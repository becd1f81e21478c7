import { MiniMaxApiError, MiniMaxTransportError, OPERATOR_CODES, RETRYABLE_CODES } from "./errors.js";
import type { SendInit, Transport } from "./transport.js";
import type { CreateVideoInput, TaskState, VideoApi } from "./types.js";

/** v2 errors: `{"type":"error","error":{"type","message":"… (2013)","http_code"},"request_id"}` (contract, section 7). */
interface V2Error {
  error?: { type?: string; message?: string };
}

/** MiniMax's code when the message does not end with one, by HTTP status (contract, section 7's table). */
const CODE_BY_STATUS: Record<number, number> = { 400: 2013, 401: 1004, 402: 1008, 422: 1026, 429: 1002, 500: 1000, 529: 1000 };

/** The code an error answer carries: the "(2013)" its message ends with, else its HTTP status's. */
export function v2ErrorCode(httpStatus: number, message: string): number {
  const inMessage = /\((\d{3,5})\)\s*$/.exec(message);
  return inMessage ? Number(inMessage[1]) : (CODE_BY_STATUS[httpStatus] ?? httpStatus);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The task of a v2 query or callback body (`{task:{…}}`) as ours. `queued` and `running` are MiniMax
 * still working; `succeeded`, `failed` and `cancelled` are over, and anything else (such as
 * `expired`) counts as failed. Undefined when there is no task status at all: nothing to go by.
 */
export function v2TaskState(task: unknown): TaskState | undefined {
  if (!isObject(task) || typeof task.status !== "string" || task.status === "") return undefined;
  switch (task.status.toLowerCase()) {
    case "queued":
      return { status: "queued" };
    case "running":
      return { status: "processing" };
    case "succeeded":
      return { status: "success" };
    case "cancelled":
      return { status: "cancelled" };
    default: {
      const error = isObject(task.error) ? task.error : {};
      return { status: "failed", code: Number(error.code) || 0, message: typeof error.message === "string" ? error.message : task.status };
    }
  }
}

const taskPath = (taskId: string) => encodeURIComponent(taskId);

/** The picture items of a create: reference pictures (never mixed with frames, section 8), or the frames. */
function imageItems(input: CreateVideoInput) {
  const item = (url: string, role: string) => ({ type: "image_url", image_url: { url }, role });
  if (input.referenceImages) return input.referenceImages.map((url) => item(url, "reference_image"));
  return [item(input.firstFrameImage ?? "", "first_frame"), ...(input.lastFrameImage ? [item(input.lastFrameImage, "last_frame")] : [])];
}

/**
 * The v2 video API (contract, sections 7 and 8), for MiniMax-H3: a `content` array (frames or
 * reference pictures), real HTTP statuses on errors, the video's URL in every query of a finished
 * task, DELETE for a task still queued, and the 2K regeneration of a finished video.
 */
export function createV2Api(transport: Transport): VideoApi {
  /**
   * One request. A 5xx to a create (500, 529) may come after MiniMax took the task: the outcome is
   * unknown, never a refusal. 429 and the other 4xx are refusals, with MiniMax's code.
   */
  async function call<T>(model: string, endpoint: string, path: string, init: SendInit & { creates?: boolean }): Promise<T> {
    return transport.observed({ api: "v2", model, endpoint }, async () => {
      const res = await transport.send(path, init);
      const text = await res.body.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (res.statusCode >= 200 && res.statusCode < 300) {
        if (json === undefined) throw new MiniMaxTransportError(`${endpoint}: HTTP ${res.statusCode} with a body that is not JSON`, true, res.statusCode);
        return json as T;
      }
      const message = ((json as V2Error | undefined)?.error?.message ?? "").slice(0, 300);
      if (res.statusCode >= 500) {
        throw new MiniMaxTransportError(`${endpoint}: HTTP ${res.statusCode} ${message}`.trim(), init.creates === true, res.statusCode);
      }
      throw new MiniMaxApiError(v2ErrorCode(res.statusCode, message), message, endpoint, res.statusCode);
    });
  }

  async function query(model: string, taskId: string, signal?: AbortSignal) {
    const json = await call<{ task?: unknown }>(model, "v2/query/video_generation/{id}", `v2/query/video_generation/${taskPath(taskId)}`, { method: "GET", signal });
    const state = v2TaskState(json.task);
    if (!state) throw new MiniMaxTransportError("v2/query/video_generation/{id}: no task status in the answer", false, 200);
    const content = isObject(json.task) && isObject(json.task.content) ? json.task.content : {};
    return { state, url: typeof content.url === "string" && content.url ? content.url : undefined };
  }

  return {
    async createVideo(input) {
      const created = (endpoint: string, body: Record<string, unknown>) =>
        call<{ task_id?: unknown }>(input.model, endpoint, endpoint, {
          method: "POST",
          creates: true,
          timeoutMs: transport.createTimeoutMs,
          body: { ...body, ...(input.callbackUrl ? { callback_url: input.callbackUrl } : {}) },
        });
      const text = { type: "text", text: input.prompt };
      // A regeneration (section 8) takes no duration nor ratio: the output follows the base video.
      const json = input.baseVideo
        ? await created("v2/video_regeneration", {
            model: input.model,
            content: [text, { type: "video_url", video_url: { url: input.baseVideo }, role: "base_video" }],
            resolution: input.resolution,
          })
        : await created("v2/video_generation", {
            model: input.model,
            content: [text, ...imageItems(input)],
            resolution: input.resolution,
            duration: input.duration,
            // With a first frame MiniMax takes the frame's shape (fitting the photo chose it); references
            // have no frame, so `ratio` sets the shape. No `aigc_watermark`: only the Chinese schema
            // lists it. H3 has no prompt optimizer to switch.
            ...(input.referenceImages ? { ratio: input.ratio ?? "adaptive" } : {}),
          });
      if (json.task_id == null || String(json.task_id) === "") throw new MiniMaxTransportError("v2: no task_id in the create's answer", true, 200);
      return { taskId: String(json.task_id) };
    },

    async queryTask({ model, taskId }, signal) {
      return (await query(model, taskId, signal)).state;
    },

    /** Each query of a finished task gives a fresh URL: asked for again before every download. */
    async videoFile({ model, taskId }, signal) {
      const { state, url } = await query(model, taskId, signal);
      if (state.status !== "success" || !url) throw new MiniMaxTransportError(`v2/query/video_generation/{id}: no video URL (task ${state.status})`, false);
      return { downloadUrl: url, bytes: undefined };
    },

    async cancelTask({ model, taskId }, signal) {
      try {
        const json = await call<{ status?: unknown }>(model, "v2/video_generation/{id}", `v2/video_generation/${taskPath(taskId)}`, { method: "DELETE", signal });
        return String(json.status ?? "").toLowerCase() === "cancelled" ? "cancelled" : "refused";
      } catch (err) {
        // A task that runs (or is over) cannot be cancelled: MiniMax answers with an error. A pause,
        // our key or account are not about the task: the caller hears of them.
        if (err instanceof MiniMaxApiError && !RETRYABLE_CODES.has(err.code) && !OPERATOR_CODES.has(err.code)) return "refused";
        throw err;
      }
    },
  };
}
