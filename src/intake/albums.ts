import type { Api } from "grammy";
import type { NewGeneration } from "../generations/create.js";
import { claimOnce } from "../generations/claims.js";
import { groupOnce, type GroupDoc } from "../generations/groups.js";
import { albumsAsOne, enabledModel, loadSettings } from "../generations/settings.js";
import { fitDuration, lastFrameResolution } from "../minimax/models.js";
import { IMAGE_RULES } from "../minimax/image.js";
import type { Translate } from "../telegram/i18n.js";
import type { CreateResult } from "../generations/create.js";
import { admitRequest, createRequest, imageOf, templateSettings, withTemplate, type AdmissionDeps, type Announcer, type Request } from "./requests.js";
import type { Template } from "../templates/library.js";
import { topTemplates, topTemplatesKeyboard } from "../templates/picker.js";
import { announceGroup, refusalReason } from "./announce.js";
import { upsertOnce } from "../db/errors.js";

/** An album is decided once no new part of it has arrived for this long. */
export const ALBUM_QUIET_MS = 2_000;
/** A captionless album waits this long for its description (as a parked photo does). */
export const PARKED_ALBUM_MINUTES = 30;

export interface AlbumDeps extends AdmissionDeps {
  telegram: Api;
  t: Translate;
}

export const albumKey = (chatId: number, mediaGroupId: string) => `${chatId}:${mediaGroupId}`;

export interface AlbumPart {
  chatId: number;
  userId: number;
  mediaGroupId: string;
  messageId: number;
  /** The photo, or undefined when it was refused (its own reply said why). */
  image?: NewGeneration["image"];
  caption?: string;
  locale: string;
}

/**
 * Keeps one part of an album in MongoDB. Telegram sends an album as one message per photo, in any
 * order, possibly twice, to any instance: the unique (album, message) key makes a redelivered part
 * a no-op, and nothing is kept in memory. The decision waits for the album's quiet window (the
 * album collector, on whichever instance looks first).
 */
export async function collectAlbumPart(models: AdmissionDeps["models"], part: AlbumPart) {
  const key = albumKey(part.chatId, part.mediaGroupId);
  await models.AlbumPart.create({
    album_key: key,
    chat_id: part.chatId,
    user_id: part.userId,
    message_id: part.messageId,
    ...(part.image ? { image: part.image } : {}),
    ...(part.caption?.trim() ? { caption: part.caption.trim() } : {}),
    locale: part.locale,
    received_at: new Date(),
  }).catch((err: { code?: number }) => {
    if (err.code !== 11000) throw err; // Telegram delivered this part again
  });
  return key;
}

/** The two photos of a transition (unless the album makes one video from references). */
const isTransition = (group: Pick<GroupDoc, "parts">) => group.parts?.length === 2;

/**
 * Carries out an album's decision, or finishes it: every effect is keyed (a generation by its
 * photo's message, each answer by a claim), so running it again after a crash, or on a second
 * instance, repeats nothing. `prompt` is the description a parked album got in a text message (or
 * the prompt of the template picked for it); without one the album's own caption is used, and with
 * neither the album is parked, asking for a description or a template.
 */
export async function runAlbum(deps: AdmissionDeps, group: GroupDoc, announcer: Announcer, prompt = group.caption ?? undefined, template?: Template) {
  const parts = await deps.models.AlbumPart.find({ album_key: group.album_key, message_id: { $in: group.photos ?? [] } })
    .sort({ message_id: 1 })
    .lean();
  const first = group.parts?.[0] ?? 0;
  const asOne = parts.length >= 2 && (await decidedAsOne(deps, group));
  const answerOnce = async (what: string, key: string, variables: Record<string, string | number> = {}, templates?: { twoPhotos: boolean }) => {
    if (!(await claimOnce(deps.models, `album-${what}:${group._id}`))) return;
    const { t, locale } = announcer;
    const top = templates && (await topTemplates(deps, group.user_id, templates.twoPhotos));
    await announcer.api.sendMessage(group.chat_id, t(locale, key, variables) + (top ? `\n\n${t(locale, "template-or-pick")}` : ""), {
      parse_mode: "HTML",
      reply_parameters: { message_id: first, allow_sending_without_reply: true },
      ...(top ? { reply_markup: topTemplatesKeyboard(t, locale, `a${group._id}`, top) } : {}),
    });
  };
  if (parts.length === 0) {
    // Every photo was refused, each with its own reply: nothing more to say.
  } else if (!prompt) {
    // As for a captionless photo: the album waits for a description in the next text message.
    await upsertOnce(() =>
      deps.models.User.updateOne(
        { _id: group.user_id },
        { $set: { pending_album: { chat_id: group.chat_id, group_id: group._id, parked_at: new Date() } }, $unset: { pending_photo: 1 } },
        { upsert: true },
      ),
    );
    const ask = asOne ? "references-ask-prompt" : isTransition(group) ? "transition-ask-prompt" : "album-ask-prompt";
    await answerOnce("ask", ask, { count: parts.length, minutes: PARKED_ALBUM_MINUTES }, { twoPhotos: !asOne && isTransition(group) });
  } else if ([...prompt].length > IMAGE_RULES.maxPromptLength) {
    await answerOnce("prompt", "prompt-too-long", { length: [...prompt].length, max: IMAGE_RULES.maxPromptLength });
  } else if (asOne) {
    await startReferences(deps, group, parts, prompt, announcer, answerOnce, template);
  } else if (isTransition(group)) {
    await startTransition(deps, group, parts, prompt, announcer, answerOnce, template);
  } else {
    await startEach(deps, group, parts, prompt, announcer, template);
  }
  await deps.models.Group.updateOne({ _id: group._id, done_at: { $exists: false } }, { $set: { done_at: new Date() } });
}

type Part = { message_id: number; image?: Parameters<typeof imageOf>[0] | null };
type AnswerOnce = (what: string, key: string, variables?: Record<string, string | number>) => Promise<void>;

/**
 * Whether the album makes one video from all its photos (the user's "📚 Albums" setting, on a model
 * that takes references). Decided once, when the album is first started, and kept on its group: a
 * run again after a crash, or a setting changed meanwhile, starts the same jobs.
 */
async function decidedAsOne(deps: AdmissionDeps, group: GroupDoc): Promise<boolean> {
  if (typeof group.as_one === "boolean") return group.as_one;
  const asOne = albumsAsOne(deps.config, await loadSettings(deps, group.user_id));
  await deps.models.Group.updateOne({ _id: group._id, as_one: { $exists: false } }, { $set: { as_one: asOne } });
  const kept = (await deps.models.Group.findById(group._id).select("as_one").lean())?.as_one;
  return typeof kept === "boolean" ? kept : asOne;
}

/**
 * One video from all the album's photos: a single job whose photos are MiniMax's reference pictures,
 * in album order, as many as the model takes. Those past that are named in its status message as
 * left out, and cost nothing. Keyed and answered as the album's first photo.
 */
async function startReferences(deps: AdmissionDeps, group: GroupDoc, parts: Part[], prompt: string, announcer: Announcer, answerOnce: AnswerOnce, template?: Template) {
  const settings = await albumSettings(deps, group.user_id, template);
  const model = enabledModel(deps.config, settings.model);
  const used = parts.slice(0, model.referenceImages);
  const left = parts.slice(used.length);
  // Named by their place in the album as sent (refused files count: the user sees them there).
  const place = (part: Part) => (group.parts ?? []).indexOf(part.message_id) + 1;
  const leftOut = left.length
    ? [announcer.t(announcer.locale, "album-left-out", { count: left.length, first: place(left[0]!), last: place(left.at(-1)!), max: model.referenceImages })]
    : [];
  const request: Request = {
    chatId: group.chat_id,
    userId: group.user_id,
    image: imageOf(used[0]!.image!),
    references: used.map((part) => imageOf(part.image!)),
    userPrompt: prompt,
    sourceMessageId: used[0]!.message_id,
    settings,
  };
  const result = await admitRequest(deps, template ? withTemplate(request, template) : request, announcer, leftOut);
  if (result.kind === "limit") await answerOnce("refused", "limit-reached", { max: result.max, source: "photo" });
  if (result.kind === "credits") await answerOnce("refused", "credits-short", { price: result.price, balance: result.balance, source: "photo" });
}

/** The user's settings for an album, or, with a template, the settings a template gives (templateSettings). */
async function albumSettings(deps: AdmissionDeps, userId: number, template?: Template) {
  if (!template) return loadSettings(deps, userId);
  const user = await deps.models.User.findById(userId).select("settings").lean();
  return templateSettings(deps.config, user?.settings, template);
}

/**
 * Two photos: one video that starts at the first (the lower message id) and ends at the second,
 * on a model that takes a last frame (the user's, else the table's transition default), at 768P or more.
 */
async function startTransition(
  deps: AdmissionDeps,
  group: GroupDoc,
  parts: Part[],
  prompt: string,
  announcer: Announcer,
  answerOnce: AnswerOnce,
  template?: Template,
) {
  const settings = await albumSettings(deps, group.user_id, template);
  // The user's model if it takes a last frame, else the table's default for transitions, else any enabled that does.
  const takesLastFrame = deps.config.models.filter((m) => m.lastFrame);
  const model = takesLastFrame.find((m) => m.id === settings.model) ?? takesLastFrame.find((m) => m.transitionDefault) ?? takesLastFrame[0];
  if (!model) return answerOnce("transition", "transition-off");
  if (parts.length < 2) return answerOnce("transition", "transition-photo-refused");
  const [from, to] = parts as [Part, Part];
  const duration = fitDuration(model, settings.duration);
  const request: Request = {
    chatId: group.chat_id,
    userId: group.user_id,
    image: imageOf(from.image!),
    lastImage: imageOf(to.image!),
    userPrompt: prompt,
    sourceMessageId: from.message_id,
    settings: { ...settings, model: model.id, duration, resolution: lastFrameResolution(model, duration, settings.resolution) },
  };
  const result = await admitRequest(deps, template ? withTemplate(request, template) : request, announcer);
  if (result.kind === "limit") await answerOnce("refused", "limit-reached", { max: result.max, source: "photo" });
  if (result.kind === "credits") await answerOnce("refused", "credits-short", { price: result.price, balance: result.balance, source: "photo" });
}

/**
 * Three photos or more: one job per photo, with the album's description and the user's settings,
 * each with its own price and reservation. Admitted in album order as far as the balance and
 * MAX_ACTIVE_PER_USER go; the rest are not started, and nothing is taken for them.
 */
async function startEach(deps: AdmissionDeps, group: GroupDoc, parts: Part[], prompt: string, announcer: Announcer, template?: Template) {
  const settings = await albumSettings(deps, group.user_id, template);
  const results: CreateResult[] = [];
  let refusal: Extract<CreateResult, { kind: "limit" | "credits" }> | undefined;
  for (const part of parts) {
    const request: Request = { chatId: group.chat_id, userId: group.user_id, image: imageOf(part.image!), userPrompt: prompt, sourceMessageId: part.message_id, settings, groupId: group._id };
    const result = await createRequest(deps, template ? withTemplate(request, template) : request, announcer.locale);
    if (result.kind === "limit" || result.kind === "credits") {
      refusal = result;
      break;
    }
    results.push(result);
  }
  const { t, locale } = announcer;
  const skipped = refusal && { count: parts.length - results.length, first: results.length + 1, last: parts.length, total: parts.length, ...refusalReason(refusal) };
  await announceGroup(deps, group, results, announcer, parts[0]!.message_id, {
    notStarted: skipped && results.length ? t(locale, "album-not-started", skipped) : undefined,
    refused: skipped ? t(locale, "album-none-started", skipped) : "",
  });
}

/**
 * Decides each album once its quiet window has passed, on any instance: the decision is the insert
 * of the album's group under its unique key (album:<chat>:<media group>), holding the parts found
 * then, so exactly one decision is made whatever the order, redeliveries and instances. Its effects
 * follow at once; should the deciding instance die before they are done, another runs them again a
 * lease later (they repeat nothing). A part that arrives after the decision is told so.
 */
export function createAlbumCollector(deps: AlbumDeps & { leaseMs: number; everyMs: number }) {
  const { models, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;
  /** A look due once the quiet window after a part that arrived here has passed, per album. */
  const soon = new Map<string, NodeJS.Timeout>();

  const announcerFor = (group: GroupDoc): Announcer => ({ api: deps.telegram, locale: group.locale, t: deps.t, origin: { album: group._id } });

  async function decide(key: string) {
    const parts = await models.AlbumPart.find({ album_key: key }).sort({ message_id: 1 }).lean();
    const head = parts[0]!;
    return groupOnce(models, `album:${key}`, {
      kind: "album",
      chat_id: head.chat_id,
      user_id: head.user_id,
      locale: head.locale,
      album_key: key,
      parts: parts.map((p) => p.message_id),
      photos: parts.filter((p) => p.image).map((p) => p.message_id),
      ...(parts.find((p) => p.caption) ? { caption: parts.find((p) => p.caption)!.caption } : {}),
    });
  }

  async function tellLate(group: GroupDoc, part: { message_id: number; locale: string }) {
    if (!(await claimOnce(models, `album-late:${group._id}:${part.message_id}`))) return;
    await deps.telegram.sendMessage(group.chat_id, deps.t(part.locale, "album-part-late"), {
      parse_mode: "HTML",
      reply_parameters: { message_id: part.message_id, allow_sending_without_reply: true },
    });
  }

  async function sweep() {
    const open = await models.AlbumPart.find({ open: true }).select("album_key message_id received_at locale").lean();
    const albums = new Map<string, typeof open>();
    for (const part of open) albums.set(part.album_key, [...(albums.get(part.album_key) ?? []), part]);
    for (const [key, waiting] of albums) {
      try {
        const latest = Math.max(...waiting.map((p) => p.received_at.getTime()));
        let group = await models.Group.findOne({ key: `album:${key}` });
        let decidedHere = false;
        if (!group) {
          if (Date.now() - latest < ALBUM_QUIET_MS) continue;
          ({ group, created: decidedHere } = await decide(key));
          if (decidedHere) logger.info({ album: group._id, parts: group.parts, photos: group.photos, caption: Boolean(group.caption) }, "album decided");
        }
        // Effects not done a lease after the decision: its instance died on the way.
        const stale = !group.done_at && group.created_at.getTime() < Date.now() - deps.leaseMs;
        if (decidedHere || (stale && (await claimOnce(models, `album-run:${group._id}:${Math.floor(Date.now() / deps.leaseMs)}`)))) {
          await runAlbum(deps, group, announcerFor(group));
          group.done_at ??= new Date();
        }
        if (!group.done_at) continue;
        const taken = new Set(group.parts ?? []);
        for (const part of waiting) if (!taken.has(part.message_id)) await tellLate(group, part);
        await models.AlbumPart.updateMany({ album_key: key, message_id: { $in: waiting.map((p) => p.message_id) } }, { $set: { open: false } });
      } catch (err) {
        logger.warn({ album: key, err: (err as Error).message }, "album decision failed; the next sweep tries again");
      }
    }
  }

  function tick() {
    if (stopped) return;
    if (running) return void (again = true);
    running = sweep()
      .catch((err: Error) => logger.warn({ err: err.message }, "album sweep failed"))
      .finally(() => {
        running = undefined;
        if (!again) return;
        again = false;
        tick();
      });
  }

  return {
    sweep,
    /**
     * A part of `album` arrived here: look again once its quiet window has passed, so the instance
     * that got the last part decides on time. The periodic look (`everyMs`) is for albums whose last
     * part's instance died: it costs a query, so it is not frequent.
     */
    partArrived(album: string) {
      if (stopped) return;
      clearTimeout(soon.get(album));
      soon.set(
        album,
        setTimeout(() => {
          soon.delete(album);
          tick();
        }, ALBUM_QUIET_MS + 50).unref(),
      );
    },
    start() {
      stopped = false;
      timer = setInterval(tick, deps.everyMs);
      tick();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      for (const t of soon.values()) clearTimeout(t);
      soon.clear();
      await Promise.race([running, new Promise((r) => setTimeout(r, 1_000).unref())]);
    },
  };
}
