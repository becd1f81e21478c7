import { GrammyError } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import type { Translate } from "../telegram/i18n.js";
import { cancelGroupKeyboard, cancelKeyboard } from "../telegram/keyboards.js";
import type { GenerationFields, Models } from "../db/models.js";
import { claimOnce } from "./claims.js";
import { HELD } from "./create.js";
import type { LifecycleDeps } from "./deps.js";
import { modelSpec } from "../minimax/models.js";
import { laneOf, queueFigures, type LaneName } from "./lanes.js";
import { endingKey } from "./endings.js";

/** Telegram's advice for editing one message: at most about once every 5 seconds. */
export const PROGRESS_EDIT_INTERVAL_MS = 5_000;
const TICK_MS = 1_000;
const BATCH = 100;
/** A finished status message is kept this long after its last edit, then deleted. */
export const STATUS_MESSAGE_RETENTION_MS = 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

type Gen = GenerationFields & { _id: unknown };

export interface ProgressView {
  text: string;
  markup?: InlineKeyboardMarkup;
  /** Nothing will change after this. */
  final: boolean;
}

/**
 * What the status message says for a generation in its current state. Waiting and processing are
 * shown with whole minutes, so a long wait costs an edit a minute at most.
 */
export function renderProgress(t: Translate, gen: Gen, queue: { position: number; waitMinutes: number }, now = Date.now()): ProgressView {
  const view = renderJob(t, gen, queue, now);
  // A transition, an album made one video and a 2K regeneration say so in every state.
  const what = gen.last_image
    ? t(gen.locale, "progress-transition")
    : gen.regenerated_from
      ? t(gen.locale, "progress-regeneration", { id: gen.regenerated_from })
      : gen.references?.length
        ? t(gen.locale, "progress-references", { count: gen.references.length })
        : undefined;
  return what ? { ...view, text: [what, view.text].join("\n") } : view;
}

function renderJob(t: Translate, gen: Gen, queue: { position: number; waitMinutes: number }, now: number): ProgressView {
  const l = gen.locale;
  const id = gen.short_id;
  // A model whose queued tasks MiniMax cancels keeps the button while MiniMax has not started it.
  const cancelsAtMiniMax = modelSpec(gen.model)?.cancelQueued === true;
  switch (gen.phase) {
    case "queued":
    case "submitting": {
      // The create request may be on its way: the button goes, unless MiniMax can cancel the task.
      const markup = gen.create_sent_at && !cancelsAtMiniMax ? undefined : cancelKeyboard(t, l, id);
      const text =
        queue.waitMinutes > 0
          ? t(l, "accepted-queued", { id, position: queue.position, minutes: queue.waitMinutes })
          : t(l, "accepted", { id });
      return { text, markup, final: false };
    }
    case "submitted": {
      if (gen.minimax_status !== "processing") {
        // Queued at MiniMax (a task it will not make if cancelled now); not while its id is unknown.
        const markup = cancelsAtMiniMax && gen.minimax_job_id ? cancelKeyboard(t, l, id) : undefined;
        return { text: t(l, "progress-submitted", { id }), markup, final: false };
      }
      const since = (gen.submitted_at ?? gen.created_at ?? new Date(now)).getTime();
      return { text: t(l, "progress-processing", { id, minutes: Math.max(0, Math.floor((now - since) / 60_000)) }), final: false };
    }
    case "delivering":
      return { text: t(l, "progress-sending", { id }), final: false };
    case "delivered":
      return { text: t(l, gen.telegram_video_file_id ? "progress-done" : "progress-done-link", { id }), final: true };
    case "notifying":
    case "failed":
      return { text: t(l, endingKey(gen.error_code, "status", "released", !!gen.minimax_job_id), { id }), final: true };
  }
}

/** Where the jobs of an album or a pack stand, for their one status message. */
export function groupCounts(gens: Gen[]) {
  const ended = (g: Gen) => g.phase === "notifying" || g.phase === "failed";
  const cancelled = gens.filter((g) => ended(g) && g.error_code === "cancelled").length;
  // Made by MiniMax (and charged) but never sent: not a failure whose credits come back.
  const undelivered = gens.filter((g) => ended(g) && endingKey(g.error_code, "status") === "failed-undelivered").length;
  return {
    total: gens.length,
    done: gens.filter((g) => g.minimax_status === "success" && (g.phase === "delivering" || g.phase === "delivered")).length,
    waiting: gens.filter((g) => g.phase === "queued" || g.phase === "submitting"),
    making: gens.filter((g) => g.phase === "submitted").length,
    failed: gens.filter(ended).length - cancelled - undelivered,
    cancelled,
    undelivered,
    cancellable: gens.some((g) => (g.phase === "queued" || g.phase === "submitting") && !g.create_sent_at),
    final: gens.every((g) => g.phase === "delivered" || g.phase === "failed" || g.phase === "notifying"),
  };
}

/**
 * The one status message of an album's videos or a variant pack: how many are done, where the
 * waiting ones stand in the queue, what failed (with its credits), and one Cancel for every job
 * that has not reached MiniMax. `places` gives each waiting job's place in the queue.
 */
export function renderGroupProgress(
  t: Translate,
  group: { _id: string; kind: string; locale: string },
  gens: Gen[],
  queueOf: (gen: Gen) => { position: number; waitMinutes: number },
): ProgressView {
  const l = group.locale;
  const c = groupCounts(gens);
  const lines: string[] = [];
  if (c.final) {
    if (group.kind === "pack") lines.push(t(l, c.done ? "group-pack-ready" : "group-pack-none", { done: c.done, total: c.total }));
    else lines.push(t(l, c.done ? "group-album-finished" : "group-album-none", { done: c.done, total: c.total }));
  } else {
    lines.push(t(l, group.kind === "pack" ? "group-pack-title" : "group-album-title", { done: c.done, total: c.total }));
    if (c.waiting.length) {
      const next = c.waiting.map(queueOf).sort((a, b) => a.position - b.position)[0]!;
      lines.push(t(l, "group-waiting", { count: c.waiting.length, position: next.position, minutes: next.waitMinutes }));
    }
    if (c.making) lines.push(t(l, "group-making", { count: c.making }));
  }
  if (c.failed) lines.push(t(l, "group-failed", { count: c.failed }));
  if (c.cancelled) lines.push(t(l, "group-cancelled", { count: c.cancelled }));
  if (c.undelivered) lines.push(t(l, "group-undelivered", { count: c.undelivered }));
  lines.push(t(l, "group-jobs", { ids: gens.map((g) => `<code>${g.short_id}</code>`).join(", ") }));
  return { text: lines.join("\n"), markup: c.cancellable ? cancelGroupKeyboard(t, l, group._id) : undefined, final: c.final };
}

/** The status message of a group is kept under this id, beside those of single jobs (their short ids). */
export const groupStatusId = (groupId: string) => `group:${groupId}`;
const GROUP_STATUS = /^group:(.+)$/;

const shownKey = (view: Pick<ProgressView, "text" | "markup">) => JSON.stringify([view.text, view.markup ?? null]);

/** Records the status message the bot just sent, showing `view`. */
export async function registerStatusMessage(models: Models, shortId: string, chatId: number, messageId: number, view: ProgressView) {
  await models.StatusMessage.create({
    _id: shortId,
    chat_id: chatId,
    message_id: messageId,
    shown: shownKey(view),
    progress_edited_at: new Date(),
  }).catch((err: { code?: number }) => {
    if (err.code !== 11000) throw err; // a redelivered update: the first message is the status message
  });
}

/**
 * Nothing reads a status message once it is done (the Cancel button and /status read the
 * generation), so old finished ones are deleted here: FerretDB 1.24 has no TTL indexes.
 */
export async function pruneStatusMessages(models: Models, olderThanMs = STATUS_MESSAGE_RETENTION_MS) {
  await models.StatusMessage.deleteMany({ done: true, progress_edited_at: { $lt: new Date(Date.now() - olderThanMs) } });
}

const isNotModified = (err: unknown) => err instanceof GrammyError && /message is not modified/i.test(err.description);
const isGone = (err: unknown) =>
  err instanceof GrammyError &&
  (err.error_code === 403 || /message to edit not found|chat not found|message can't be edited/i.test(err.description));

/**
 * Keeps each generation's status message in step with its state. It runs beside the worker and
 * only reads generations, so an edit never holds a lease or slows a step. A tick once a second
 * looks for messages due an edit (a state change shows within a second of the edit interval
 * allowing it; kicking it after every step cost a query per step). Each message is
 * edited at most once per PROGRESS_EDIT_INTERVAL_MS, only when what it shows would change, and by
 * one instance: edit N of a message is won by inserting its unique claim key.
 */
export function createProgressUpdater(deps: Pick<LifecycleDeps, "models" | "config" | "telegram" | "t" | "logger">, intervalMs = PROGRESS_EDIT_INTERVAL_MS) {
  const { models, telegram, t, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;
  let lastPrune = 0;
  let pruning: Promise<void> | undefined;

  /** Every waiting generation's place in its lane's queue, from one query per pass rather than one count per message. */
  async function queuePlaces() {
    const waiting = await models.Generation.find({ phase: { $in: ["queued", "submitting"] }, next_run_at: { $lt: HELD } })
      .sort({ _id: 1 })
      .select("_id model")
      .lean();
    const ahead: Record<LaneName, number> = { v1: 0, v2: 0 };
    return new Map(waiting.map((g) => [String(g._id), ++ahead[laneOf(g.model)]]));
  }

  async function update(doc: { _id: string; chat_id: number; message_id: number; shown: string; edits: number }, view: ProgressView | undefined) {
    if (!view) return models.StatusMessage.updateOne({ _id: doc._id }, { $set: { done: true } });
    const key = shownKey(view);
    if (key === doc.shown) {
      if (view.final) await models.StatusMessage.updateOne({ _id: doc._id }, { $set: { done: true } });
      return;
    }
    const edit = doc.edits + 1;
    if (!(await claimOnce(models, `progress:${doc._id}:${edit}`))) return; // another instance is editing it
    let done = view.final;
    let shown = key;
    try {
      // Without reply_markup the Cancel button goes away, as it should once the job has left the queue.
      await telegram.editMessageText(doc.chat_id, doc.message_id, view.text, {
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
        ...(view.markup ? { reply_markup: view.markup } : {}),
      });
    } catch (err) {
      if (isGone(err)) {
        done = true; // deleted by the user, or the bot was blocked: nothing to keep up to date
      } else if (!isNotModified(err)) {
        // Shown as it was; the next try waits a full interval.
        logger.warn({ generation: doc._id, err: (err as Error).message }, "status message edit failed");
        shown = doc.shown;
        done = false;
      }
    }
    await models.StatusMessage.updateOne({ _id: doc._id }, { $set: { shown, done, edits: edit, progress_edited_at: new Date() } });
  }

  async function pass() {
    do {
      again = false;
      const due = await models.StatusMessage.find({ done: false, progress_edited_at: { $lte: new Date(Date.now() - intervalMs) } })
        .sort({ progress_edited_at: 1 })
        .limit(BATCH)
        .lean();
      let placesOnce: Promise<Map<string, number>> | undefined;
      const places = () => (placesOnce ??= queuePlaces());
      // The generations behind the due messages, in one query per kind rather than one per message.
      const groupIds = due.flatMap((d) => GROUP_STATUS.exec(d._id)?.[1] ?? []);
      const singleIds = due.filter((d) => !GROUP_STATUS.test(d._id)).map((d) => d._id);
      const [gens, members, groups] = await Promise.all([
        singleIds.length ? models.Generation.find({ short_id: { $in: singleIds } }).lean<Gen[]>() : [],
        groupIds.length ? models.Generation.find({ group_id: { $in: groupIds } }).sort({ _id: 1 }).lean<Gen[]>() : [],
        groupIds.length ? models.Group.find({ _id: { $in: groupIds } }).select("kind locale").lean() : [],
      ]);
      const byShortId = new Map(gens.map((g) => [g.short_id, g]));
      const groupById = new Map(groups.map((g) => [g._id, g]));
      const queueOf = async (gen: Gen) => {
        const waiting = gen.phase === "queued" || gen.phase === "submitting";
        return waiting ? queueFigures(deps.config, laneOf(gen.model), (await places()).get(String(gen._id)) ?? 1) : { position: 0, waitMinutes: 0 };
      };
      const viewOf = async (doc: (typeof due)[number]): Promise<ProgressView | undefined> => {
        const groupId = GROUP_STATUS.exec(doc._id)?.[1];
        if (groupId === undefined) {
          const gen = byShortId.get(doc._id);
          return gen && renderProgress(t, gen, await queueOf(gen));
        }
        const group = groupById.get(groupId);
        const own = members.filter((g) => g.group_id === groupId);
        if (!group || own.length === 0) return undefined;
        const queues = new Map(await Promise.all(own.map(async (g) => [g, await queueOf(g)] as const)));
        return renderGroupProgress(t, group, own, (g) => queues.get(g)!);
      };
      for (const doc of due) {
        if (stopped) return;
        await viewOf(doc)
          .then((view) => update(doc, view))
          .catch((err: Error) => logger.warn({ generation: doc._id, err: err.message }, "status message update failed"));
      }
    } while (again && !stopped);
  }

  function kick() {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = pass()
      .catch((err: Error) => logger.warn({ err: err.message }, "progress pass failed"))
      .finally(() => (running = undefined));
  }

  function tick() {
    // Every instance prunes on its own clock; deleting twice is harmless.
    if (!pruning && Date.now() - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = Date.now();
      pruning = pruneStatusMessages(models)
        .catch((err: Error) => logger.warn({ err: err.message }, "pruning status messages failed"))
        .finally(() => (pruning = undefined));
    }
    kick();
  }

  return {
    kick,
    start() {
      stopped = false;
      timer = setInterval(tick, Math.min(TICK_MS, intervalMs));
      tick();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      // An edit or a prune in flight is not worth holding up a shutdown for.
      await Promise.race([Promise.all([running, pruning]), new Promise((r) => setTimeout(r, 1_000).unref())]);
    },
  };
}
export type ProgressUpdater = ReturnType<typeof createProgressUpdater>;
