import { Transform, type TransformCallback } from "node:stream";
import { GrammyError, InputFile } from "grammy";
import { floodWaitMs, telegramRefused } from "../telegram/errors.js";
import { escapeHtml } from "../telegram/i18n.js";
import { backoffMs, later, untilStored, type LifecycleDeps } from "./deps.js";
import { videoButtons, videoCaption } from "../telegram/video-message.js";
import { studioUrl } from "../telegram/keyboards.js";
import type { GenerationDoc, Leases } from "./leases.js";
import { createAdmission, regenerationOf } from "./admission.js";
import { endingKey, UNDELIVERABLE, UNDELIVERED } from "./endings.js";
import { attemptUpload, deliveredFields, deliveryAttempts, takeAttempt, type DeliveredFact } from "./delivery-attempts.js";

/** Failure notices are cheap and unpaid: a few tries, then the generation is closed anyway. */
export const MAX_NOTICE_ATTEMPTS = 6;
/** Failed delivery attempts back off up to this; a paid video is tried until DELIVERY_TIMEOUT_MIN. */
const MAX_DELIVERY_BACKOFF_MS = 10 * 60_000;

/** Passes bytes through, and fails the stream unless exactly `expected` bytes (at most `cap`) arrive. */
export class ExactLengthStream extends Transform {
  private seen = 0;
  constructor(
    private readonly expected: number | undefined,
    private readonly cap: number,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    this.seen += chunk.length;
    if (this.seen > this.cap) return done(new Error(`video exceeds ${this.cap} bytes`));
    if (this.expected !== undefined && this.seen > this.expected) return done(new Error("video longer than announced"));
    done(null, chunk);
  }
  override _flush(done: TransformCallback) {
    if (this.expected !== undefined && this.seen !== this.expected) {
      return done(new Error(`video truncated: ${this.seen} of ${this.expected} bytes`));
    }
    done();
  }
}

/** Only https, or the API's own origin (a self-hosted test double), may serve us a video. */
export function isTrustedDownloadUrl(url: string, apiBase: string) {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.origin === new URL(apiBase).origin;
  } catch {
    return false;
  }
}

/** Our messages about a generation answer the user's photo (or stand alone if it was deleted). */
export const replyToSource = (gen: Pick<GenerationDoc, "source_message_id" | "reply_to_message_id">) => ({
  reply_parameters: { message_id: gen.reply_to_message_id ?? gen.source_message_id, allow_sending_without_reply: true },
});

/** Durations for a delivery's log line: this attempt, since MiniMax's success, since the request. */
export function deliveryTimings(gen: GenerationDoc, started = Date.now()) {
  return () => ({
    attempt: gen.deliver_attempts + 1,
    durationMs: Date.now() - started,
    sinceSuccessMs: Date.now() - (gen.last_heard_at?.getTime() ?? Date.now()),
    sinceCreatedMs: Date.now() - gen.created_at.getTime(),
  });
}

/**
 * A delivery attempt failed. A chat that will never take the video ends it; otherwise the video is
 * paid for and is retried for hours, each time from a fresh retrieve, before the user is told.
 * Telegram's flood wait is not a failure: the next try comes when it says.
 */
export async function deliveryFailed(deps: LifecycleDeps, leases: Leases, gen: GenerationDoc, err: unknown, signal: AbortSignal, log: LifecycleDeps["logger"], timings: () => Record<string, number>, sendableSince?: Date) {
  if (telegramRefused(err)) {
    log.warn(timings(), "the user blocked the bot or the chat is gone; stopping");
    await leases.finish(gen, { phase: "failed", error_code: UNDELIVERABLE, error_message: (err as Error).message, completed_at: new Date() });
    return;
  }
  if (signal.aborted) return; // the lease was lost; another instance carries on
  const attempt = gen.deliver_attempts;
  // Timed from when it could first be sent: a pack's member from when its album could go.
  const startedAt = Math.max((gen.delivery_started_at ?? gen.last_heard_at ?? gen.updated_at ?? new Date()).getTime(), sendableSince?.getTime() ?? 0);
  const outOfTime = Date.now() - startedAt > deps.config.deliveryTimeoutMs;
  const wait = floodWaitMs(err);
  const next = wait === undefined ? attempt + 1 : attempt;
  log.warn({ err: (err as Error).message, ...timings(), failedAttempts: next, floodWaitMs: wait }, "delivery attempt failed");
  if (outOfTime) {
    await leases.finish(gen, { phase: "notifying", error_code: UNDELIVERED, error_message: (err as Error).message, deliver_attempts: next, next_run_at: new Date() });
    return;
  }
  const delay = wait ?? backoffMs(next, deps.config.retryBaseMs, MAX_DELIVERY_BACKOFF_MS);
  await leases.finish(gen, { deliver_attempts: next, next_run_at: later(delay) });
}

/**
 * Streams MiniMax's video into sendVideo. The stream is checked against the size announced (by
 * retrieve on v1, by the download on v2), so a cut download fails the upload instead of sending a
 * truncated video; the next attempt asks MiniMax for a fresh signed URL (retrieve, or a query). `signal` aborts the upload (the lease is lost or
 * overdue); `recordSignal` only ends the wait to record a message Telegram already took.
 * `sendableSince`: a pack's member going alone is timed from when its album could first go.
 */
export async function deliverVideo(deps: LifecycleDeps, leases: Leases, claimed: GenerationDoc, signal: AbortSignal, recordSignal = signal, sendableSince?: Date) {
  const { minimax, telegram, config, t, logger } = deps;
  const log = logger.child({ generation: claimed.short_id });
  const attempts = deliveryAttempts(deps.models, `${deps.instanceId}:${claimed.lease_epoch}`);
  // Telegram has the message: recording that must outlast a MongoDB outage, or it would be sent
  // again. The fact first: it stands even if our lease has run out meanwhile.
  const recordSent = (fact: DeliveredFact) =>
    untilStored(
      async () => {
        await attempts.record(claimed, fact);
        return leases.finish(claimed, deliveredFields(fact));
      },
      { logger: log, what: "the delivery", retryBaseMs: config.retryBaseMs, signal: recordSignal },
    );
  // What Telegram took is recorded only by an attempt that was taken, and attempt numbers grow
  // only past a taken one. So at the first attempt it is taken before anything is looked up: won
  // now, no attempt came before it and there is no record to find; taken already, the record is
  // looked for as at any later attempt.
  const first = claimed.deliver_attempts === 0 && (await attempts.take(claimed, 0));
  const earlier = first ? undefined : await attempts.recorded(claimed);
  if (earlier) {
    log.info({ messageId: earlier.message_id }, "delivered by an earlier attempt, whose lease ran out before it was recorded");
    return void (await recordSent(earlier));
  }
  const gen = first ? claimed : await takeAttempt(deps, leases, attempts, claimed, log);
  if (!gen) return;
  const attempt = gen.deliver_attempts;
  const timings = deliveryTimings(gen);
  const upload = attemptUpload(signal);
  try {
    const file = await minimax.videoFile({ model: gen.model, taskId: gen.minimax_job_id ?? "", fileId: gen.minimax_file_id ?? undefined }, signal);
    if (!isTrustedDownloadUrl(file.downloadUrl, config.minimaxApiBase)) {
      log.error("download_url is not https; refusing it");
      throw new Error("untrusted download_url");
    }
    const replyTo = replyToSource(gen);
    // "🖼 Studio" under the video opens the studio at it (when the studio is on, in a private chat).
    const studio = studioUrl(config.webappUrl, gen.chat_id, gen.short_id);
    const twoKPrice = regenerationOf(config, gen)?.price;
    const sendLink = async (bytes: number) => {
      upload.leave({ bodiless: true });
      const message = await telegram.sendMessage(
        gen.chat_id,
        // A signed URL carries "&" (and may carry "<"): unescaped, Telegram refuses the HTML.
        t(gen.locale, "video-as-link", { id: gen.short_id, mb: bytes / 1048576, url: escapeHtml(file.downloadUrl) }),
        { ...replyTo, parse_mode: "HTML", link_preview_options: { is_disabled: true }, reply_markup: videoButtons(t, gen.locale, gen, studio, twoKPrice) },
      );
      await recordSent({ message_id: message.message_id, url: file.downloadUrl, bytes, at: new Date() });
      deps.metrics?.delivered("link", timings().sinceSuccessMs);
      log.info({ bytes, ...timings() }, "video too large for upload; sent as a link");
    };
    if (file.bytes !== undefined && file.bytes > config.uploadLimitBytes) return await sendLink(file.bytes);

    const download = await minimax.openDownload(file.downloadUrl, signal);
    const expected = file.bytes ?? download.contentLength;
    // The v2 API tells the size only with the download: too large to upload, it is not read further.
    if (expected !== undefined && expected > config.uploadLimitBytes) {
      download.body.destroy();
      return await sendLink(expected);
    }
    const checked = download.body.pipe(new ExactLengthStream(expected, config.uploadLimitBytes));
    download.body.on("error", (err) => checked.destroy(err));
    // A download cut before the upload starts reading fails `checked` with nobody listening yet: an
    // uncaught error would end the process. The upload still sees the error when it reads.
    checked.on("error", (err) => log.debug({ err: err.message }, "video stream failed"));
    // "sending a video…" in the chat while the upload runs; nothing depends on it arriving.
    await telegram.sendChatAction(gen.chat_id, "upload_video").catch(() => undefined);
    const video = new InputFile(upload.carry(checked), `astrolus-${gen.short_id}.mp4`);
    let sent;
    try {
      upload.leave();
      sent = await telegram.sendVideo(gen.chat_id, video, {
        ...replyTo,
        caption: videoCaption(t, gen.locale, gen),
        parse_mode: "HTML",
        reply_markup: videoButtons(t, gen.locale, gen, studio, twoKPrice),
        // The seller's photo shows in the chat and the gallery instead of a random frame. Only on a
        // first try: a cover Telegram refused must never be why a paid video does not arrive.
        ...(gen.image.sent_as === "photo" && attempt === 0 ? { cover: gen.image.file_id } : {}),
        supports_streaming: true,
        ...(gen.video_width && gen.video_height ? { width: gen.video_width, height: gen.video_height } : {}),
        ...(gen.duration ? { duration: gen.duration } : {}),
      }, upload.signal as Parameters<typeof telegram.sendVideo>[3]);
    } catch (err) {
      // The Bot API server refused the size (a lower limit than configured): the link still works.
      if (err instanceof GrammyError && err.error_code === 413) return await sendLink(expected ?? 0);
      throw err;
    } finally {
      download.body.destroy(); // whatever Telegram did not read is not needed any more
    }
    await recordSent({ message_id: sent.message_id, file_id: sent.video.file_id, url: file.downloadUrl, bytes: expected, at: new Date() });
    deps.metrics?.delivered("upload", timings().sinceSuccessMs, expected);
    log.info({ bytes: expected, ...timings() }, "video delivered");
  } catch (err) {
    await attempts.failed(gen, attempt, upload, err, log);
    await deliveryFailed(deps, leases, gen, err, signal, log, timings, sendableSince);
  } finally {
    upload.done();
  }
}

/**
 * Tells the user a generation failed, in their language, then closes it. Every end other than
 * MiniMax's success comes through here, so this is where the reserved credits go back (a no-op
 * when MiniMax succeeded and the delivery failed afterwards: that video was captured). The notice
 * says which of the two happened, as the ledger has it.
 */
export async function notifyFailure(deps: LifecycleDeps, leases: Leases, gen: GenerationDoc, signal?: AbortSignal) {
  const { telegram, t, logger } = deps;
  const settled = await createAdmission(deps.models, deps.config).settle(gen, "release");
  const kind = gen.error_code ?? "error";
  const key = endingKey(kind, "notice", settled?.kind === "capture" ? "captured" : "released", !!gen.minimax_job_id);
  // A job of an album or a pack cancelled with its group's button: the group's status message says so, once for all.
  const notice = gen.group_id && kind === "cancelled" ? undefined : () => telegram.sendMessage(gen.chat_id, t(gen.locale, key, { id: gen.short_id }), { parse_mode: "HTML", ...replyToSource(gen) });
  try {
    await notice?.();
  } catch (err) {
    const wait = floodWaitMs(err);
    if (wait !== undefined) {
      logger.warn({ generation: gen.short_id, floodWaitMs: wait }, "failure notice hit Telegram's flood wait; will retry");
      return leases.finish(gen, { next_run_at: later(wait) });
    }
    if (!telegramRefused(err) && gen.deliver_attempts + 1 < MAX_NOTICE_ATTEMPTS) {
      logger.warn({ generation: gen.short_id, err: (err as Error).message }, "failure notice not sent; will retry");
      return leases.finish(gen, { deliver_attempts: gen.deliver_attempts + 1, next_run_at: later(backoffMs(gen.deliver_attempts + 1, deps.config.retryBaseMs)) });
    }
  }
  const closed = await untilStored(() => leases.finish(gen, { phase: "failed", minimax_status: "failed", completed_at: new Date() }), {
    logger: logger.child({ generation: gen.short_id }),
    what: "the failure notice",
    retryBaseMs: deps.config.retryBaseMs,
    signal,
  });
  logger.info({ generation: gen.short_id, reason: kind, error: gen.error_message, sinceCreatedMs: Date.now() - gen.created_at.getTime() }, "generation failed");
  return closed;
}
