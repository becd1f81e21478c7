import { GrammyError } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import type { Translate } from "../telegram/i18n.js";
import { cancelKeyboard } from "../telegram/keyboards.js";
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

  async function update(
    doc: { _id: string; chat_id: number; message_id: number; shown: string; edits: number },
    gen: Gen | undefined,
    places: () => Promise<Map<string, number>>,
  ) {
    if (!gen) return models.StatusMessage.updateOne({ _id: doc._id }, { $set: { done: true } });
    const waiting = gen.phase === "queued" || gen.phase === "submitting";
    const queue = waiting ? queueFigures(deps.config, laneOf(gen.model), (await places()).get(String(gen._id)) ?? 1) : { position: 0, waitMinutes: 0 };
    const view = renderProgress(t, gen, queue);
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
      // The generations behind the due messages, in one query rather than one per message.
      const gens = due.length ? await models.Generation.find({ short_id: { $in: due.map((d) => d._id) } }).lean<Gen[]>() : [];
      const byShortId = new Map(gens.map((g) => [g.short_id, g]));
      for (const doc of due) {
        if (stopped) return;
        await update(doc, byShortId.get(doc._id), places).catch((err: Error) => logger.warn({ generation: doc._id, err: err.message }, "status message update failed"));
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
