import type { Readable } from "node:stream";
import type { ByteRange } from "../byte-range.js";
import { modelSpec } from "./models.js";
import { createTransport, type TransportOptions } from "./transport.js";
import type { CancelAnswer, CreateVideoInput, Download, TaskRef, TaskState, VideoApi, VideoFile } from "./types.js";
import { createV1Api } from "./v1.js";
import { createV2Api } from "./v2.js";

export type { CreateVideoInput, TaskRef, TaskState, VideoFile, CancelAnswer, Download, RequestLabel, ObserveRequest } from "./types.js";
export { taskStateOf } from "./v1.js";

export type MiniMaxClientOptions = TransportOptions;

/**
 * MiniMax as the lifecycle sees it: one client whatever the API. Every call names the task's model,
 * and the model's entry in the table (models.ts) says which API serves it, so the lifecycle never
 * asks. Both APIs share one connection pool, since they live on the same host.
 */
export function createMiniMaxClient(opts: MiniMaxClientOptions) {
  const transport = createTransport(opts);
  const apis = { v1: createV1Api(transport), v2: createV2Api(transport) };
  // A model the table no longer knows was a v1 model (the table only grows).
  const apiOf = (model: string): VideoApi => apis[modelSpec(model)?.api ?? "v1"];

  return {
    createVideo: (input: CreateVideoInput): Promise<{ taskId: string }> => apiOf(input.model).createVideo(input),
    queryTask: (task: TaskRef, signal?: AbortSignal): Promise<TaskState> => apiOf(task.model).queryTask(task, signal),
    videoFile: (task: TaskRef & { fileId?: string }, signal?: AbortSignal): Promise<VideoFile> => apiOf(task.model).videoFile(task, signal),
    cancelTask: (task: TaskRef, signal?: AbortSignal): Promise<CancelAnswer> => apiOf(task.model).cancelTask(task, signal),
    openDownload: (url: string, signal?: AbortSignal): Promise<Download> => transport.openDownload(url, signal),
    /** A part of a downloaded video (or all of it), for the studio's player: see byte-range.ts. */
    openRange: (url: string, range: ByteRange | undefined, signal?: AbortSignal): Promise<Readable> => transport.openRange(url, range, signal),
    close: () => transport.close(),
    destroy: () => transport.destroy(),
  };
}

export type MiniMaxClient = ReturnType<typeof createMiniMaxClient>;
