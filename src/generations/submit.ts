import { setTimeout as delay } from "node:timers/promises";
import { isAcceptedImageType, toDataUrl, IMAGE_RULES } from "../minimax/image.js";
import { failureKind, MiniMaxApiError, MiniMaxTransportError } from "../minimax/errors.js";
import { TelegramFileError } from "../telegram/files.js";
import { callbackToken } from "../secrets.js";
import { backoffMs, later, untilStored, type LifecycleDeps } from "./deps.js";
import type { GenerationDoc, Leases } from "./leases.js";
import type { SubmitGate } from "./lanes.js";
import { CANCELLED, decideSubmit, isCancelled, submitFate } from "./cancel.js";
import { claimOnce } from "./claims.js";
import { DEFAULT_FORMAT, isFormatName, type FormatName } from "../images/formats.js";
import type { CreateVideoInput } from "../minimax/types.js";
import { FIT_DEFAULTS, fitPhoto, UnreadableImageError, type FitTarget } from "../images/fit.js";
import { photosSent } from "../images/collect.js";
import { modelSpec, pollIntervalFor, resolutionHeight } from "../minimax/models.js";

/** After this many refused or failed attempts the user is told instead of waiting forever. */
export const MAX_SUBMIT_ATTEMPTS = 8;

export function callbackUrlFor(base: string, shortId: string, token: string) {
  const url = new URL(base);
  url.searchParams.set("generation", shortId);
  url.searchParams.set("token", token);
  return url.toString();
}

/** Waits `ms`, or less if `signal` aborts; leaves no listener behind on the signal either way. */
const sleep = (ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }).catch(() => undefined);

/**
 * A picture MiniMax gets: `photo` fitted to `target` (a format, or another photo's shape), or as it
 * came when there is none, unless it is larger than the model takes (then fitted to its own shape).
 * The long side goes up to what the video needs: 1920 px, 2560 for 2K.
 */
async function frameOf(gen: GenerationDoc, photo: GenerationDoc["image"], bytes: Buffer, target: FitTarget | undefined) {
  const model = modelSpec(gen.model);
  const tooLarge = model?.maxImageSide !== undefined && Math.max(photo.width, photo.height) > model.maxImageSide;
  if (!target && !tooLarge) return { dataUrl: toDataUrl(bytes, isAcceptedImageType(photo.mime) ? photo.mime : "image/jpeg") };
  const maxLongEdge = Math.max(FIT_DEFAULTS.maxLongEdge, Math.round((resolutionHeight(gen.resolution ?? "") * 16) / 9));
  const started = performance.now();
  const fitted = await fitPhoto(bytes, target ?? { width: photo.width, height: photo.height }, { maxLongEdge });
  return { dataUrl: toDataUrl(fitted.data, fitted.mime), fitted: { width: fitted.width, height: fitted.height, bytes: fitted.data.length, fitMs: Math.round(performance.now() - started) } };
}

type Frames = Pick<CreateVideoInput, "firstFrameImage" | "lastFrameImage" | "referenceImages" | "ratio" | "baseVideo">;

/** MiniMax's `ratio` for a format: "original" lets MiniMax follow the pictures (`adaptive`). */
const ratioOf = (format: FormatName) => (format === "original" ? "adaptive" : format);

/** The largest finished video sent back to MiniMax as a data URL: the cloud Bot API's getFile limit. */
export const MAX_BASE_VIDEO_BYTES = 20 * 1024 * 1024;
/** A task is treated as gone this long before MiniMax's own horizon, so a query never races it. */
const KEPT_MARGIN_MS = 3600_000;

/** The finished video a regeneration renders again can no longer be had, from MiniMax or from Telegram. */
export class BaseVideoUnavailable extends Error {
  override name = "BaseVideoUnavailable";
}

/** What a regeneration reads of the video it renders again. */
interface SourceVideo {
  model?: string | null;
  minimax_job_id?: string | null;
  submitted_at?: Date | null;
  created_at?: Date | null;
  telegram_video_file_id?: string | null;
  video_bytes?: number | null;
}

/** Whether MiniMax still answers queries about the task that made `source` (models.ts: keepsTasksDays). */
export function minimaxKeeps(source: Pick<SourceVideo, "model" | "minimax_job_id" | "submitted_at" | "created_at">, now = Date.now()) {
  const days = modelSpec(source.model ?? "")?.keepsTasksDays;
  const made = (source.submitted_at ?? source.created_at)?.getTime() ?? 0;
  return !!source.minimax_job_id && days !== undefined && now < made + days * 86_400_000 - KEPT_MARGIN_MS;
}

/** Telegram still has `source`'s video in a size it lets the bot download and MiniMax take as a data URL. */
export const telegramHasBytes = (source: Pick<SourceVideo, "telegram_video_file_id" | "video_bytes">) =>
  !!source.telegram_video_file_id && (source.video_bytes ?? 0) <= MAX_BASE_VIDEO_BYTES;

/**
 * The base video of a regeneration: a fresh URL from a query of the task that made it, while MiniMax
 * keeps that task (contract, sections 7-8: each query gives a new URL); after that, or when MiniMax
 * says it has no such task, the video's own bytes from Telegram as a data URL.
 */
async function baseVideoOf(deps: LifecycleDeps, gen: GenerationDoc, log: LifecycleDeps["logger"]): Promise<string> {
  const source = await deps.models.Generation.findOne({ short_id: gen.regenerated_from, user_id: gen.user_id })
    .select("model minimax_job_id submitted_at created_at telegram_video_file_id video_bytes")
    .lean<SourceVideo>();
  if (!source) throw new BaseVideoUnavailable(`the video ${gen.regenerated_from} is gone`);
  if (minimaxKeeps(source)) {
    try {
      return (await deps.minimax.videoFile({ model: source.model!, taskId: source.minimax_job_id! })).downloadUrl;
    } catch (err) {
      // A pause, our key, a lost connection: asked again later. A refusal: MiniMax no longer has it.
      if (!(err instanceof MiniMaxApiError) || err.retryable || err.operatorProblem) throw err;
      log.info({ code: err.code }, "MiniMax no longer has the base video's task; its bytes from Telegram instead");
    }
  }
  if (!telegramHasBytes(source)) throw new BaseVideoUnavailable("the base video is past MiniMax's keeping and not in Telegram in a size that can be sent back");
  const bytes = await deps.files.download(source.telegram_video_file_id!, MAX_BASE_VIDEO_BYTES).catch((err: Error) => {
    // Telegram will not give it (gone, too big): say so as a base video, not as a photo MiniMax refused.
    throw err instanceof TelegramFileError && err.permanent ? new BaseVideoUnavailable(err.message) : err;
  });
  log.info({ bytes: bytes.length }, "base video sent as its bytes");
  return `data:video/mp4;base64,${bytes.toString("base64")}`;
}

/**
 * The pictures MiniMax gets, as data URLs: the photo shaped to the chosen format ("original" sends
 * it as it came), and for a transition the second photo, fitted to that format or, in "original",
 * to the first photo's shape (as it is when the shapes already agree). MongoDB never holds the bytes.
 */
async function framesFor(deps: LifecycleDeps, gen: GenerationDoc, log: LifecycleDeps["logger"]): Promise<Frames> {
  const format = isFormatName(gen.format) ? gen.format : DEFAULT_FORMAT;
  const frame = async (photo: GenerationDoc["image"], target: FitTarget | undefined, which: string) => {
    const made = await frameOf(gen, photo, await deps.files.download(photo.file_id, IMAGE_RULES.maxBytes), target);
    if (made.fitted) log.info({ which, format, ...made.fitted }, "photo fitted to the format");
    return made.dataUrl;
  };
  if (gen.regenerated_from) return { baseVideo: await baseVideoOf(deps, gen, log) };
  // Reference pictures are not padded: `ratio` gives the video its shape. One at a time, in order.
  if (gen.references?.length) {
    const referenceImages: string[] = [];
    for (const [i, photo] of gen.references.entries()) referenceImages.push(await frame(photo, undefined, `reference ${i + 1}`));
    return { referenceImages, ratio: ratioOf(format) };
  }
  const firstFrameImage = await frame(gen.image, format === "original" ? undefined : format, "first frame");
  const last = gen.last_image;
  if (!last) return { firstFrameImage };
  const first = { width: gen.image.width, height: gen.image.height };
  const sameShape = last.width * first.height === first.width * last.height;
  const target = format !== "original" ? format : sameShape ? undefined : first;
  return { firstFrameImage, lastFrameImage: await frame(last, target, "last frame") };
}

/**
 * Sends one claimed generation to MiniMax. The rate slot is taken right before the request, so
 * the window MiniMax counts starts where ours does. Before the request leaves we record
 * `create_sent_at`: if this process dies after that point nobody can tell whether MiniMax took
 * the task, and the recovery path refuses to pay for it a second time. `signal` ends the wait for
 * a slot (the lease is lost or overdue); the create itself is never aborted, as that would leave its
 * outcome unknown. `recordSignal` only ends the wait to record MiniMax's answer.
 */
export async function submitGeneration(
  deps: LifecycleDeps,
  leases: Leases,
  gate: SubmitGate,
  gen: GenerationDoc,
  signal: AbortSignal,
  recordSignal = signal,
) {
  const { config, minimax, logger } = deps;
  const log = logger.child({ generation: gen.short_id, model: gen.model, api: modelSpec(gen.model)?.api ?? "v1" });
  const rateLimit = gate.rate;
  const requeue = (reason: string) => {
    const delay = backoffMs(gen.submit_attempts, config.retryBaseMs);
    log.warn({ reason, attempt: gen.submit_attempts, retryInMs: delay }, "submit postponed");
    if (gen.submit_attempts >= MAX_SUBMIT_ATTEMPTS) return fail("unavailable", reason);
    // MiniMax certainly did not take the task: clear the marker, so a crash later is not read as "maybe sent".
    return leases.finish(gen, { phase: "queued", next_run_at: later(delay) }, { create_sent_at: 1 });
  };
  const fail = (kind: string, message: string) =>
    leases.finish(gen, { phase: "notifying", minimax_status: "failed", error_code: kind, error_message: message, next_run_at: new Date() });
  // MiniMax's answer is a fact we cannot ask for again: it is written however long MongoDB is away.
  const record = <T>(what: string, write: () => Promise<T>, recordLog = log) =>
    untilStored(write, { logger: recordLog, what, retryBaseMs: config.retryBaseMs, signal: recordSignal }).catch((err: Error) => {
      recordLog.error({ err: err.message }, `${what} could not be recorded before the shutdown`);
      throw err;
    });

  const callbackUrl = config.callbackUrl ? callbackUrlFor(config.callbackUrl, gen.short_id, callbackToken(config.callbackSecret, gen.short_id)) : undefined;
  const cancelled = () => leases.finish(gen, { ...CANCELLED, next_run_at: new Date() });
  /** Takes what `take` gives once it gives something; null when the wait ended (stopped, or the user cancelled), answered. */
  const waitFor = async <T>(take: () => Promise<T | null>, waitMs: () => Promise<number>): Promise<T | null> => {
    for (;;) {
      const got = await take();
      if (got) return got;
      if (signal.aborted) return (await leases.finish(gen, { phase: "queued", next_run_at: new Date() }), null);
      if (await isCancelled(deps.models, gen)) return (await cancelled(), null);
      await sleep(Math.min(Math.max(await waitMs(), 20), 1_000), signal);
    }
  };
  // On the v2 API a task slot first (MiniMax's tasks in flight), which may take minutes, then a rate
  // slot, which does not: no rate slot is held while a task slot is awaited. A task slot taken here
  // goes back when the generation leaves MiniMax (see the worker), whatever way that is.
  const tasks = gate.tasks;
  if (tasks && !(await waitFor(() => tasks.tryAcquire(String(gen._id)), async () => 1_000))) return;
  const waitStarted = Date.now();
  // Whether this attempt is sent or cancelled is decided the moment it has a slot (see cancel.ts). A
  // first attempt's claim rides on the slot's, and is looked up apart only when a press took it
  // first; a later attempt reads the earlier attempts' fates before it claims its own (decideSubmit).
  const slot = await waitFor(
    () => rateLimit.tryAcquire(leases.owner, submitFate(gen)),
    async () => (await rateLimit.nextFreeAt()).getTime() - Date.now(),
  );
  if (!slot) return;
  const rateWaitMs = Date.now() - waitStarted;
  deps.metrics?.rateSlotWaited(rateWaitMs);
  // When nothing leaves with the slot (cancelled, photo unavailable, lease lost), it goes back at
  // once instead of blocking a window.
  const giveBack = () => rateLimit.release(slot).catch((err: Error) => log.warn({ err: err.message }, "rate slot not given back"));
  if ((slot.alongside ? "submit" : await decideSubmit(deps.models, gen)) === "cancel") {
    await giveBack();
    return cancelled();
  }
  // The photos are fetched only now that they can be sent: a job waiting for a slot holds no image in memory.
  let frames: Frames;
  try {
    frames = await framesFor(deps, gen, log);
  } catch (err) {
    await giveBack();
    if (err instanceof BaseVideoUnavailable) return fail("base_unavailable", err.message);
    if ((err instanceof TelegramFileError && err.permanent) || err instanceof UnreadableImageError) return fail("invalid", (err as Error).message);
    return requeue((err as Error).message);
  }
  /** Nothing left with the slot: it goes back, and the generation to the queue with the marker cleared. */
  const unsent = async () => {
    await giveBack();
    return record("the requeue", () => leases.finish(gen, { phase: "queued", next_run_at: new Date() }, { create_sent_at: 1 }));
  };
  // Our renewals stopped landing: the lease may run out before the create is out.
  if (signal.aborted) return unsent();
  // One instant for the marker and the unknown-outcome clock: MiniMax may start from here.
  const sentAt = new Date();
  let marked;
  try {
    // Only with a good part of the lease left: no other instance can be claiming it as the marker lands.
    marked = await leases.update(gen, { create_sent_at: sentAt }, { leaseLeftMs: config.leaseMs / 4 });
  } catch (err) {
    // Nothing was sent, whether or not the marker landed: back to the queue, cleared, once MongoDB lets us.
    log.warn({ err: (err as Error).message }, "could not mark the create as sent; not sending it");
    return unsent();
  }
  // The lease is gone or nearly so: back to the queue if it is still ours.
  if (!marked) return unsent();
  // The last word goes to a unique insert: on FerretDB a claim by another instance, read before the
  // marker landed and written after it, can undo it, and that instance's recovery would send again.
  let mine;
  try {
    mine = await claimOnce(deps.models, createKey(gen), leases.owner);
  } catch (err) {
    log.warn({ err: (err as Error).message }, "could not take the create's key; not sending it");
    return unsent();
  }
  if (!mine) {
    // Another instance recovered this submission as never sent: it owns the generation now.
    log.warn("this submission was recovered elsewhere as unsent; not sending it");
    return giveBack();
  }

  // The slot's window starts once the request is over. Should this fail (MongoDB away), the slot
  // frees itself once its in-flight hold runs out.
  const holdSlot = () => rateLimit.holdFromNow(slot).catch((err: Error) => log.warn({ err: err.message }, "rate slot not rescheduled"));
  let answer;
  try {
    answer = await minimax
      .createVideo({
        model: gen.model,
        ...frames,
        prompt: gen.prompt,
        duration: gen.duration ?? undefined,
        resolution: gen.resolution ?? undefined,
        promptOptimizer: gen.prompt_optimizer ?? undefined,
        callbackUrl,
      })
      .finally(photosSent);
  } catch (err) {
    await holdSlot();
    if (err instanceof MiniMaxApiError) {
      if (err.operatorProblem) {
        log.error({ code: err.code, msg: err.statusMessage }, "MiniMax refused our credentials or account: operator action needed");
        return record("the refusal", () => fail("unavailable", `${err.code} ${err.statusMessage}`));
      }
      if (err.retryable) return record("the refusal", () => requeue(`${err.code} ${err.statusMessage}`));
      log.warn({ code: err.code, msg: err.statusMessage }, "MiniMax refused the task");
      return record("the refusal", () => fail(failureKind(err.code), `${err.code} ${err.statusMessage}`));
    }
    if (err instanceof MiniMaxTransportError && !err.requestSent) {
      return record("the refusal", () => requeue(err.message));
    }
    log.error({ err: (err as Error).message }, "create request outcome unknown");
    return settleUnknownOutcome(deps, leases, gen, sentAt);
  }
  const { taskId } = answer;
  const now = new Date();
  log.info(
    { taskId, attempt: gen.submit_attempts, rateWaitMs, createMs: now.getTime() - sentAt.getTime(), sinceCreatedMs: now.getTime() - gen.created_at.getTime() },
    "submitted to MiniMax",
  );
  // MiniMax's answer is recorded before the slot's window is moved (a later start only holds the
  // slot longer): a callback that comes quickly then finds the task id already stored.
  await record("the task id", () =>
    leases.finish(
      gen,
      { phase: "submitted", minimax_job_id: taskId, submitted_at: now, last_heard_at: now, next_run_at: later(pollIntervalFor(gen.model, config.pollIntervalMs)) },
      { create_sent_at: 1 },
    ),
    log.child({ taskId }),
  ).finally(holdSlot);
}

/**
 * The create request may or may not have created a (paid) task. Sending it again could pay twice,
 * so we never do. With a callback URL, MiniMax will call it for a task it did create, carrying our
 * token: the generation waits for that (the callback adopts the task id) until the timeout. Without
 * one there is no way to learn the task id, so the user is told at once and asked to send again.
 */
export async function settleUnknownOutcome(deps: LifecycleDeps, leases: Leases, gen: GenerationDoc, sentAt = gen.create_sent_at ?? new Date()) {
  if (deps.config.callbackUrl) {
    // Timed from the send: the timeout runs from when MiniMax may have started.
    return leases.finish(gen, {
      phase: "submitted",
      error_code: "unknown_outcome",
      submitted_at: sentAt,
      next_run_at: later(pollIntervalFor(gen.model, deps.config.pollIntervalMs)),
    });
  }
  return leases.finish(gen, {
    phase: "notifying",
    minimax_status: "failed",
    error_code: "unknown_outcome",
    error_message: "create request outcome unknown",
    next_run_at: new Date(),
  });
}

/** The key a submission attempt's create takes before it leaves, and a recovery takes to requeue it. */
const createKey = (gen: GenerationDoc) => `create:${String(gen._id)}:${gen.submit_attempts}`;
const RECOVERED = "recovered:";

/**
 * A `submitting` generation whose lease expired: its instance died (or stalled) somewhere in
 * submitGeneration. Whether its create may have left is decided by the create's key, not by the
 * marker on the document: if this recovery inserts the key first, the create can no longer leave.
 */
export async function recoverSubmit(deps: LifecycleDeps, leases: Leases, gen: GenerationDoc) {
  const key = createKey(gen);
  const taken = (await claimOnce(deps.models, key, `${RECOVERED}${leases.owner}`)) ? undefined : await deps.models.Claim.findById(key).lean();
  if (!taken || taken.owner?.startsWith(RECOVERED)) {
    deps.logger.warn({ generation: gen.short_id }, "submit interrupted before sending: queued again");
    return leases.finish(gen, { phase: "queued", next_run_at: new Date() }, { create_sent_at: 1 });
  }
  deps.logger.warn({ generation: gen.short_id }, "submit interrupted after sending: outcome unknown");
  return settleUnknownOutcome(deps, leases, gen, gen.create_sent_at ?? taken.at);
}
