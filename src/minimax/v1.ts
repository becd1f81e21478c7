import { MiniMaxApiError, MiniMaxTransportError } from "./errors.js";
import type { SendInit, Transport } from "./transport.js";
import type { TaskState, VideoApi } from "./types.js";

interface BaseResp {
  base_resp?: { status_code?: number; status_msg?: string };
}

/** Folds MiniMax's v1 task status names (any letter case) into ours. */
export function taskStateOf(status: unknown, fileId: unknown, baseResp?: BaseResp["base_resp"]): TaskState {
  const s = String(status ?? "").toLowerCase();
  if (s === "success" && fileId != null && String(fileId) !== "") return { status: "success", fileId: String(fileId) };
  if (s === "fail" || s === "failed") {
    return { status: "failed", code: baseResp?.status_code ?? 0, message: baseResp?.status_msg ?? "failed" };
  }
  return { status: "processing" };
}

/**
 * The v1 video API (contract, sections 1-6): errors come as HTTP 200 with a non-zero
 * `base_resp.status_code`; the finished video is a file to retrieve; there is no cancelling.
 */
export function createV1Api(transport: Transport): VideoApi {
  /** A create: a gateway's 5xx may come after MiniMax took the task, so it is no proof of nothing done. */
  async function call<T extends BaseResp>(model: string, endpoint: string, init: SendInit & { creates?: boolean }): Promise<T> {
    return transport.observed({ api: "v1", model, endpoint }, async () => {
      const res = await transport.send(endpoint, init);
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
    });
  }

  return {
    async createVideo(input) {
      // References and regenerations are v2's (the table gives v1 models neither): never sent here.
      if (!input.firstFrameImage || input.referenceImages || input.baseVideo) throw new MiniMaxTransportError("v1/video_generation takes a first frame only", false);
      const json = await call<BaseResp & { task_id?: string }>(input.model, "v1/video_generation", {
        method: "POST",
        creates: true,
        timeoutMs: transport.createTimeoutMs,
        body: {
          model: input.model,
          first_frame_image: input.firstFrameImage,
          ...(input.lastFrameImage ? { last_frame_image: input.lastFrameImage } : {}),
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

    async queryTask({ model, taskId }, signal) {
      try {
        const json = await call<BaseResp & { status?: string; file_id?: string; video_width?: number; video_height?: number }>(
          model,
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

    async videoFile({ model, fileId }, signal) {
      if (!fileId) throw new MiniMaxTransportError("v1/files/retrieve: the task has no file_id", false);
      const json = await call<BaseResp & { file?: { file_id?: number | string; bytes?: number; download_url?: string } }>(
        model,
        "v1/files/retrieve",
        { method: "GET", query: { file_id: fileId }, signal },
      );
      if (!json.file?.download_url) throw new MiniMaxTransportError("v1/files/retrieve: no download_url", false);
      return { bytes: json.file.bytes, downloadUrl: json.file.download_url };
    },

    /** The v1 API has no way to cancel a task. */
    cancelTask: async () => "refused",
  };
}
