import type { Readable } from "node:stream";

/** A task the lifecycle asks about: its model decides which API it lives on. */
export interface TaskRef {
  model: string;
  taskId: string;
}

export interface CreateVideoInput {
  model: string;
  /** A data URL (or a public URL): the video starts on this picture and takes its shape. */
  firstFrameImage?: string;
  /** Where the video ends (a transition between two photos); only for a model with `lastFrame`. */
  lastFrameImage?: string;
  /**
   * Pictures the video keeps what it sees in (a product from several sides), in order; no frame is
   * given then, and `ratio` sets the shape. Only for a model that takes references (contract, section 8).
   */
  referenceImages?: string[];
  /** MiniMax's `ratio` ("9:16", "adaptive"), for a video without a first frame. */
  ratio?: string;
  /**
   * A finished video (a URL or a data URL) rendered again at `resolution`: MiniMax's regeneration
   * (section 8), which follows the base video's length and shape.
   */
  baseVideo?: string;
  prompt: string;
  duration?: number;
  resolution?: string;
  /** MiniMax's `prompt_optimizer` (it rewrites the prompt when on); left out, MiniMax's default (on) applies. */
  promptOptimizer?: boolean;
  callbackUrl?: string;
}

/** What a query or a callback says about a task, folded to the original design's statuses. */
export type TaskState =
  | { status: "queued" }
  | { status: "processing" }
  | { status: "success"; fileId?: string; width?: number; height?: number }
  | { status: "failed"; code: number; message: string }
  | { status: "cancelled" };

/** Where the finished video can be downloaded now: a signed URL that expires, fresh on every call. */
export interface VideoFile {
  downloadUrl: string;
  bytes: number | undefined;
}

/** A DELETE's answer: the task is cancelled, or MiniMax would not (it runs already, or is over). */
export type CancelAnswer = "cancelled" | "refused";

/** What a request is labelled with in metrics and logs. */
export interface RequestLabel {
  api: "v1" | "v2";
  model: string;
  /** The route, with `{id}` for a task id in the path. */
  endpoint: string;
}

/** Told about every API request once it is over: its labels, the code it ended with ("0" = success) and its duration. */
export type ObserveRequest = (label: RequestLabel, code: string, seconds: number) => void;

/** One MiniMax API, as the lifecycle uses it; `client.ts` picks the API by the task's model. */
export interface VideoApi {
  /** Creates a paid task. MiniMax calls `callbackUrl` with a challenge before this returns. */
  createVideo(input: CreateVideoInput): Promise<{ taskId: string }>;
  queryTask(task: TaskRef, signal?: AbortSignal): Promise<TaskState>;
  /** The finished video's URL, asked for anew each time (a failed download needs a fresh one). */
  videoFile(task: TaskRef & { fileId?: string }, signal?: AbortSignal): Promise<VideoFile>;
  /** Cancels a task MiniMax still has queued; APIs without cancelling refuse. */
  cancelTask(task: TaskRef, signal?: AbortSignal): Promise<CancelAnswer>;
}

export interface Download {
  body: Readable;
  contentLength: number | undefined;
}
