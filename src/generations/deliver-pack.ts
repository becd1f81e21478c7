import type { Readable } from "node:stream";
import { GrammyError, InputFile } from "grammy";
import type { InputMediaVideo, Message } from "grammy/types";
import { escapeHtml } from "../telegram/i18n.js";
import { packNoteKeyboard } from "../telegram/keyboards.js";
import { packCaption } from "../telegram/video-message.js";
import { cameraKey, isCameraMove } from "../minimax/camera.js";
import { claimOnce } from "./claims.js";
import { later, untilStored, type LifecycleDeps } from "./deps.js";
import { deliverVideo, deliveryFailed, deliveryTimings, ExactLengthStream, isTrustedDownloadUrl } from "./deliver.js";
import { attemptUpload, deliveryAttempts, takeAttempt, videoOf, type AttemptUpload, type DeliveryAttempts } from "./delivery-attempts.js";
import { albumItemRefused, telegramRefused } from "../telegram/errors.js";
import type { Download, VideoFile } from "../minimax/client.js";
import type { GroupDoc } from "./groups.js";
import type { GenerationDoc, Leases } from "./leases.js";

type Member = GenerationDoc;
/** A member whose MiniMax outcome is still to come: the pack waits for it. */
const UNSETTLED = new Set(["queued", "submitting", "submitted"]);

/** Delivers a claimed `delivering` generation: alone, or as a member of a variant pack. */
export function deliver(deps: LifecycleDeps, leases: Leases, gen: GenerationDoc, signal: AbortSignal, recordSignal = signal) {
  return gen.group_id && gen.pack_index != null ? deliverPackMember(deps, leases, gen, signal, recordSignal) : deliverVideo(deps, leases, gen, signal, recordSignal);
}

/**
 * A variant pack arrives as one album, once every member's outcome is known. Each member that
 * MiniMax made waits in `delivering`; the first to find all outcomes known becomes the pack's
 * sender by inserting the unique key pack-sender:<pack>:1 (should that member's delivery end
 * without the pack, the next one takes pack-sender:<pack>:2). Only the sender's lease holder sends,
 * so two instances never both send; the others finish once the pack's record names their video.
 */
async function deliverPackMember(deps: LifecycleDeps, leases: Leases, gen: Member, signal: AbortSignal, recordSignal: AbortSignal) {
  const { models, config, logger } = deps;
  const log = logger.child({ generation: gen.short_id, pack: gen.group_id });
  const group = await models.Group.findById(gen.group_id);
  const delivered = group?.delivered;
  if (!group || delivered) {
    const mine = delivered?.videos.find((v) => String(v.generation_id) === String(gen._id));
    // Sent without this one (it was not ready then, or left the album), or the pack is gone: it goes
    // alone, timed from when the album could first be sent.
    if (!mine) return deliverVideo(deps, leases, gen, signal, recordSignal, delivered?.ready_at ?? undefined);
    return untilStored(() => leases.finish(gen, { phase: "delivered", ...videoOf(mine), completed_at: delivered!.at }), {
      logger: log,
      what: "the delivery",
      retryBaseMs: config.retryBaseMs,
      signal: recordSignal,
    });
  }
  const members = await models.Generation.find({ group_id: gen.group_id }).sort({ pack_index: 1 });
  const waitForThePack = () => leases.finish(gen, { next_run_at: later(config.pollIntervalMs) });
  if (members.some((m) => UNSETTLED.has(m.phase))) return waitForThePack();
  const readyAt = packReadyAt(members);
  const out = await leftTheAlbum(deps, group, members);
  if (out.has(String(gen._id))) return deliverVideo(deps, leases, gen, signal, recordSignal, readyAt);
  if (!(await isSender(deps, gen, members, out))) return waitForThePack();
  const ready = members.filter((m) => m.phase === "delivering" && !out.has(String(m._id)));
  return sendPack(deps, leases, gen, group, ready, readyAt, signal, recordSignal);
}

/**
 * When the album could first be sent: once MiniMax's last word on its last member came. A member's
 * time to deliver counts from then, not from its own success, which may be far older (it waited
 * for its siblings).
 */
function packReadyAt(members: Member[]) {
  const settledAt = (m: Member) => (m.delivery_started_at ?? m.last_heard_at ?? m.completed_at ?? m.created_at).getTime();
  return new Date(Math.max(...members.map(settledAt)));
}

/**
 * A member whose video could not be fetched, or that Telegram refused in the album, leaves the album
 * for good, by a unique insert its sender makes: it is then delivered alone, as a single video, and
 * the others go together without it.
 */
const leftKey = (group: GroupDoc, member: Member) => `pack-out:${group._id}:${String(member._id)}`;
async function leftTheAlbum(deps: LifecycleDeps, group: GroupDoc, members: Member[]) {
  const keys = members.map((m) => leftKey(group, m));
  const taken = await deps.models.Claim.find({ _id: { $in: keys } }).select("_id").lean();
  const left = new Set(taken.map((c) => String(c._id)));
  return new Set(members.filter((m) => left.has(leftKey(group, m))).map((m) => String(m._id)));
}
const leaveTheAlbum = (deps: LifecycleDeps, group: GroupDoc, member: Member) => claimOnce(deps.models, leftKey(group, member));

/** True when `gen` is the pack's sender: it took the current sender key, or takes it now that the last sender gave up. */
async function isSender(deps: LifecycleDeps, gen: Member, members: Member[], out: Set<string>) {
  const me = String(gen._id);
  for (let n = 1; n <= members.length; n++) {
    const key = `pack-sender:${gen.group_id}:${n}`;
    if (await claimOnce(deps.models, key, me)) return true;
    const owner = (await deps.models.Claim.findById(key).lean())?.owner;
    if (owner === me) return true;
    // A sender whose delivery ended without the pack (notifying, failed), or that left the album,
    // gave up: the next key is for the next one. One still delivering is on it; one delivered has
    // sent it (recorded first).
    const phase = members.find((m) => String(m._id) === owner)?.phase;
    if (phase !== "notifying" && phase !== "failed" && !out.has(owner ?? "")) return false;
  }
  return false;
}

interface Sent {
  generation_id: Member["_id"];
  file_id?: string | null;
  message_id?: number | null;
}

/** A member's video, fetched for the album: its file at MiniMax, and the download to stream when it is uploaded. */
interface Fetched {
  member: Member;
  file: VideoFile;
  download?: Download;
}

/**
 * Sends the members MiniMax made as one album (one video goes alone: an album holds 2 to 10), each
 * captioned with its camera move and covered by the seller's photo; then records what Telegram took
 * before anything else (retried through an outage, filtered by the lease epoch), so the pack is not
 * sent again; then a note under it with Again and Format for each variant (an album carries no
 * buttons), and the download links of any video too large to upload. One bad member does not sink
 * the others: one whose video cannot be fetched leaves the album and goes alone; so does one
 * Telegram refuses in the album (it names it), after which the album goes again without it.
 */
async function sendPack(deps: LifecycleDeps, leases: Leases, sender: Member, group: GroupDoc, candidates: Member[], readyAt: Date, signal: AbortSignal, recordSignal: AbortSignal) {
  const { telegram, config, t, logger, models } = deps;
  const log = logger.child({ generation: sender.short_id, pack: group._id });
  // As for a single video (see deliverVideo): one taker per attempt; the pack's record is its fact.
  const attempts = deliveryAttempts(models, `${deps.instanceId}:${sender.lease_epoch}`);
  const gen = await takeAttempt(deps, leases, attempts, sender, log);
  if (!gen) return;
  const timings = deliveryTimings(gen);
  const downloads: Readable[] = [];
  const upload = attemptUpload(signal);
  try {
    const { fetched, failures } = await fetchAll(deps, candidates, signal, log);
    // Nothing could be fetched (MiniMax's side, most likely): the pack tries again as a whole.
    if (!fetched.length) throw failures[0]!.err;
    for (const { member, err } of failures) {
      log.warn({ member: member.short_id, err: (err as Error).message }, "a variant's video could not be fetched; it leaves the album and goes alone");
      await leaveTheAlbum(deps, group, member);
    }
    for (const { download } of fetched) if (download) downloads.push(download.body);
    const ready = fetched.map((f) => f.member);
    const uploads = fetched.filter((f) => f.download);
    const links = fetched.filter((f) => !f.download).map(({ member, file }) => ({ member, url: file.downloadUrl }));
    const replyTo = { reply_parameters: { message_id: group.reply_to_message_id ?? gen.reply_to_message_id ?? gen.source_message_id, allow_sending_without_reply: true } };

    let messages: Message[] = [];
    if (uploads.length) {
      const media = uploads.map(({ member, file, download }) => {
        const checked = download!.body.pipe(new ExactLengthStream(file.bytes ?? download!.contentLength, config.uploadLimitBytes));
        download!.body.on("error", (err) => checked.destroy(err));
        // As for a single video: a download cut before the upload reads it must not go unheard.
        checked.on("error", (err) => log.debug({ err: err.message, member: member.short_id }, "video stream failed"));
        return {
          type: "video",
          media: new InputFile(upload.carry(checked), `astrolus-${member.short_id}.mp4`),
          caption: packCaption(t, member.locale, member),
          parse_mode: "HTML",
          // As for a single video: the seller's photo as the cover, on a first try only.
          ...(member.image.sent_as === "photo" && gen.deliver_attempts === 0 ? { cover: member.image.file_id } : {}),
          supports_streaming: true,
          ...(member.video_width && member.video_height ? { width: member.video_width, height: member.video_height } : {}),
          ...(member.duration ? { duration: member.duration } : {}),
        } satisfies InputMediaVideo;
      });
      await telegram.sendChatAction(gen.chat_id, "upload_video").catch(() => undefined);
      upload.leave();
      try {
        if (media.length === 1) {
          const { media: video, caption, parse_mode, cover, supports_streaming, width, height, duration } = media[0]! as InputMediaVideo;
          const options = { caption, parse_mode, cover, supports_streaming, width, height, duration };
          messages = [await telegram.sendVideo(gen.chat_id, video, { ...replyTo, ...options }, upload.signal as Parameters<typeof telegram.sendVideo>[3])];
        } else {
          messages = await telegram.sendMediaGroup(gen.chat_id, media, replyTo, upload.signal as Parameters<typeof telegram.sendMediaGroup>[3]);
        }
      } catch (err) {
        // The Bot API server refused the size (a lower limit than configured): links still work.
        if (!(err instanceof GrammyError && err.error_code === 413)) {
          if (media.length > 1 && err instanceof GrammyError && err.error_code === 400 && !telegramRefused(err)) {
            return await albumRefused(deps, leases, attempts, gen, group, uploads.map((u) => u.member), err, upload, log);
          }
          throw err;
        }
        links.push(...uploads.map(({ member, file }) => ({ member, url: file.downloadUrl })));
        uploads.length = 0;
      }
    }
    const sent: Sent[] = [
      ...uploads.map(({ member }, i) => ({ generation_id: member._id, file_id: messages[i]?.video?.file_id, message_id: messages[i]?.message_id })),
      ...links.map(({ member }) => ({ generation_id: member._id })),
    ];
    // Telegram has the pack: recorded first, and however long MongoDB is away, or it would be sent again.
    const at = new Date();
    await untilStored(() => models.Group.updateOne({ _id: group._id, delivered: { $exists: false } }, { $set: { delivered: { at, ready_at: readyAt, videos: sent } } }), {
      logger: log,
      what: "the pack's delivery",
      retryBaseMs: config.retryBaseMs,
      signal: recordSignal,
    });
    for (const { file } of uploads) deps.metrics?.delivered("upload", timings().sinceSuccessMs, file.bytes);
    log.info({ videos: uploads.length, links: links.length, left: failures.length, ...timings() }, "variant pack delivered");
    const mine = sent.find((v) => String(v.generation_id) === String(gen._id));
    if (mine) {
      await untilStored(() => leases.finish(gen, { phase: "delivered", ...videoOf(mine), completed_at: at }), {
        logger: log,
        what: "the delivery",
        retryBaseMs: config.retryBaseMs,
        signal: recordSignal,
      });
    } else {
      // The sender's own video could not be fetched: it goes alone from now on, as any member that left.
      const own = failures.find((f) => String(f.member._id) === String(gen._id))?.err ?? new Error("not in the album");
      await deliveryFailed(deps, leases, gen, own, signal, log, timings, readyAt);
    }
    const note = messages[0]?.message_id ?? replyTo.reply_parameters.message_id;
    await sendNote(deps, group, ready, links, note).catch((err: Error) => log.warn({ err: err.message }, "the pack's note was not sent"));
  } catch (err) {
    await attempts.failed(gen, gen.deliver_attempts, upload, err, log);
    await deliveryFailed(deps, leases, gen, err, signal, log, timings, readyAt);
  } finally {
    upload.done();
    for (const body of downloads) body.destroy(); // whatever Telegram did not read is not needed any more
  }
}

/**
 * Each candidate's video: its file at MiniMax and, when it fits the upload limit, its download,
 * opened now. A member whose video cannot be had (MiniMax's retrieve fails, the download answers
 * 404 or 403) is reported, not thrown: it must not keep the others from going.
 */
async function fetchAll(deps: LifecycleDeps, candidates: Member[], signal: AbortSignal, log: LifecycleDeps["logger"]) {
  const { minimax, config } = deps;
  const fetched: Fetched[] = [];
  const failures: Array<{ member: Member; err: unknown }> = [];
  for (const member of candidates) {
    try {
      const file = await minimax.videoFile({ model: member.model, taskId: member.minimax_job_id ?? "", fileId: member.minimax_file_id ?? undefined }, signal);
      if (!isTrustedDownloadUrl(file.downloadUrl, config.minimaxApiBase)) {
        log.error({ member: member.short_id }, "download_url is not https; refusing it");
        throw new Error("untrusted download_url");
      }
      const fits = file.bytes === undefined || file.bytes <= config.uploadLimitBytes;
      fetched.push({ member, file, ...(fits ? { download: await minimax.openDownload(file.downloadUrl, signal) } : {}) });
    } catch (err) {
      if (signal.aborted) {
        for (const { download } of fetched) download?.body.destroy();
        throw err;
      }
      failures.push({ member, err });
    }
  }
  return { fetched, failures };
}

/**
 * Telegram refused the album. Its error names the item it could not send ("failed to send message
 * #2 with the error message …"): that member leaves the album and goes alone, and the album goes
 * again at once without it. An error that names none cannot be pinned on one member: every member
 * goes alone, so the bad one fails alone. Nothing was sent, so the attempt is given back.
 */
async function albumRefused(deps: LifecycleDeps, leases: Leases, attempts: DeliveryAttempts, gen: Member, group: GroupDoc, album: Member[], err: GrammyError, upload: AttemptUpload, log: LifecycleDeps["logger"]) {
  const item = albumItemRefused(err);
  const leaving = item !== undefined && album[item] ? [album[item]] : album;
  log.warn({ err: err.message, leaving: leaving.map((m) => m.short_id) }, "Telegram refused the album; refused variants go alone");
  for (const member of leaving) await leaveTheAlbum(deps, group, member);
  await attempts.failed(gen, gen.deliver_attempts, upload, err, log);
  await leases.finish(gen, { next_run_at: new Date() });
}

/** The note under a pack's album, once: what each variant is, and its Again and Format buttons. */
async function sendNote(deps: LifecycleDeps, group: GroupDoc, ready: Member[], links: Array<{ member: Member; url: string }>, replyTo: number) {
  if (!(await claimOnce(deps.models, `pack-note:${group._id}`))) return;
  const { t } = deps;
  const l = group.locale;
  const moveName = (m: Member) => (m.pack_move && isCameraMove(m.pack_move) ? t(l, cameraKey(m.pack_move)) : "");
  const lines = [
    t(l, "pack-note", { list: ready.map((m) => t(l, "pack-variant", { n: (m.pack_index ?? 0) + 1, move: moveName(m) })).join(", ") }),
    ...links.map(({ member, url }) => t(l, "pack-link", { n: (member.pack_index ?? 0) + 1, move: moveName(member), url: escapeHtml(url) })),
  ];
  await deps.telegram.sendMessage(group.chat_id, lines.join("\n"), {
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
    reply_parameters: { message_id: replyTo, allow_sending_without_reply: true },
    reply_markup: packNoteKeyboard(t, l, ready.map((m) => ({ shortId: m.short_id, n: (m.pack_index ?? 0) + 1 }))),
  });
}
