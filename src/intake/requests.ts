/**
 * Requests coming in, before the lifecycle takes them: the one admission every inbound side uses
 * (the chat's photos and buttons, its albums and packs, the studio's buttons). Below bot/ and
 * studio/, above generations/: it knows no grammY context, only where to announce.
 */
import type { Api } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import { createGeneration, type CreateResult, type NewGeneration } from "../generations/create.js";
import type { GenerationSettings } from "../generations/settings.js";
import { effectiveSettings, enabledModel, generationFields } from "../generations/settings.js";
import { IMAGE_RULES } from "../minimax/image.js";
import { registerStatusMessage, renderProgress, type ProgressView } from "../generations/progress.js";
import { isCameraMove, withCameraMoves, withPackMove, type CameraMove } from "../minimax/camera.js";
import type { Types } from "mongoose";
import type { Translate } from "../telegram/i18n.js";
import type { Config } from "../config.js";
import type { GenerationFields, Models } from "../db/models.js";
import type { Logger } from "../logger.js";
import { FORMAT_NAMES, type FormatName } from "../images/formats.js";
import { FORMAT_SLOT, messageOfKey, REGEN_SLOT, requestKey, TEMPLATE_SLOT } from "../generations/groups.js";
import { templateIndex, type Template, type TemplateLibrary } from "../templates/library.js";
import type { StoredSettings } from "../generations/settings.js";
import { regenerationOf } from "../generations/admission.js";
import { minimaxKeeps, telegramHasBytes } from "../generations/submit.js";

export interface Request {
  chatId: number;
  userId: number;
  image: NewGeneration["image"];
  /** A transition: the second photo, the one the video ends on. */
  lastImage?: NewGeneration["image"];
  /** An album made one video: every photo, in album order (the first is `image`). */
  references?: NewGeneration["image"][];
  /** A regeneration (✨ 2K) of this finished video, with its prompt exactly as MiniMax had it. */
  regeneration?: { of: string; prompt: string };
  /** What the user wrote; camera moves are added to it for MiniMax. */
  userPrompt: string;
  /** With chatId, the request's identity: the same key twice admits one generation. */
  sourceMessageId: number;
  /** Where the job's messages reply; by default the message its key was made from (a key with a slot is not a message). */
  replyToMessageId?: number;
  settings: GenerationSettings;
  variationOf?: string;
  /** The album or pack it belongs to, and a pack member's place in it. */
  groupId?: string;
  packIndex?: number;
  /**
   * The one camera move of a pack member (and of its Again or Format): it replaces the settings'
   * moves and any bracket command in the description, so the members differ by it alone.
   */
  move?: CameraMove;
  /** The template whose prompt `userPrompt` is: recorded, so its name can be shown instead. */
  template?: string;
}

/** Where the messages about an admitted request go, and in which language. */
export interface Announcer {
  api: Api;
  locale: string;
  t: Translate;
  /** Added to the "generation queued" log line (the update id, the album's decision, the studio). */
  origin: Record<string, unknown>;
}

/** What admitting a request needs: the chat, the albums and the studio all pass their own. */
export interface AdmissionDeps {
  config: Config;
  models: Models;
  logger: Logger;
  /** Wakes the generation worker after a new request is queued. */
  onQueued: (generation?: Types.ObjectId, model?: string) => void;
  /** Counts a job admitted here, by its template (astrolus_generations_total). */
  onCreated?: (template: string | undefined) => void;
}

type StoredImage = { [K in keyof Request["image"]]: Request["image"][K] | null };

/** A stored photo as a new request takes it (MongoDB gives an absent field back as null). */
export function imageOf(image: StoredImage): Request["image"] {
  const { file_id, file_unique_id, mime, width, height, size, sent_as } = image;
  return { file_id: file_id!, file_unique_id: file_unique_id!, mime: mime!, width: width!, height: height!, ...(size ? { size } : {}), ...(sent_as ? { sent_as } : {}) };
}

/** The prompt MiniMax gets for a request: the user's text with the camera moves of its settings or its pack. */
function promptOf(deps: AdmissionDeps, req: Request): { prompt: string; moves: CameraMove[] } {
  if (req.regeneration) return { prompt: req.regeneration.prompt, moves: [] };
  // Only a model that reads bracket commands gets them; another would take them for words.
  const readsMoves = enabledModel(deps.config, req.settings.model).cameraCommands;
  const moves: CameraMove[] = !readsMoves ? [] : req.move ? [req.move] : req.settings.cameraMoves;
  const withMoves = req.move && readsMoves ? withPackMove(req.userPrompt, req.move) : withCameraMoves(req.userPrompt, moves);
  // Moves that would push the prompt past MiniMax's limit are left out rather than refusing the user's text.
  return [...withMoves].length <= IMAGE_RULES.maxPromptLength ? { prompt: withMoves, moves } : { prompt: req.userPrompt, moves: [] };
}

const replyToOf = (req: Request) => req.replyToMessageId ?? messageOfKey(req.sourceMessageId);

/**
 * Records the request and admits it (reserves its price) or refuses it, without a word to the
 * user: for callers that answer a group of requests at once.
 */
export async function createRequest(deps: AdmissionDeps, req: Request, locale: string): Promise<CreateResult> {
  const { prompt, moves } = promptOf(deps, req);
  const replyTo = replyToOf(req);
  const result = await createGeneration(deps, {
    chatId: req.chatId,
    userId: req.userId,
    sourceMessageId: req.sourceMessageId,
    locale,
    prompt,
    image: req.image,
    options: {
      ...generationFields(deps.config, req.settings),
      user_prompt: req.userPrompt,
      ...(prompt !== req.userPrompt ? { camera_moves: moves } : {}),
      ...(req.variationOf ? { variation_of: req.variationOf } : {}),
      ...(req.lastImage ? { last_image: req.lastImage } : {}),
      ...(req.references?.length ? { references: req.references } : {}),
      ...(req.regeneration ? { regenerated_from: req.regeneration.of } : {}),
      ...(replyTo !== req.sourceMessageId ? { reply_to_message_id: replyTo } : {}),
      ...(req.groupId ? { group_id: req.groupId } : {}),
      ...(req.packIndex !== undefined ? { pack_index: req.packIndex } : {}),
      ...(req.move ? { pack_move: req.move } : {}),
      ...(req.template ? { template: req.template } : {}),
    },
  });
  if (result.kind === "created") deps.onCreated?.(req.template);
  return result;
}

/**
 * Sends a status message (its first view, plus lines only this first view shows, such as the price)
 * and records it for the progress updater, which edits it from then on.
 */
export async function sendStatusMessage(
  deps: Pick<AdmissionDeps, "models">,
  announcer: Announcer,
  where: { chatId: number; replyTo: number; id: string },
  view: ProgressView,
  firstViewLines: string[] = [],
) {
  const markup: InlineKeyboardMarkup | undefined = view.markup;
  const sent = await announcer.api.sendMessage(where.chatId, [view.text, ...firstViewLines].join("\n"), {
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
    reply_parameters: { message_id: where.replyTo, allow_sending_without_reply: true },
    ...(markup ? { reply_markup: markup } : {}),
  });
  await registerStatusMessage(deps.models, where.id, where.chatId, sent.message_id, view);
  return sent;
}

/**
 * The one way into the lifecycle for a single request (a photo, a parked photo, a button under a
 * video, a transition): admitted (or refused) by createGeneration and, once admitted, announced with
 * its status message. A refusal is returned for the caller to explain where the user is.
 */
export async function admitRequest(deps: AdmissionDeps, req: Request, announcer: Announcer, moreLines: string[] = []): Promise<CreateResult> {
  const result = await createRequest(deps, req, announcer.locale);
  if (result.kind !== "created") return result; // a duplicate (Telegram redelivered) or a refusal
  deps.logger.info({ generation: result.shortId, ...announcer.origin, user: req.userId, position: result.position }, "generation queued");
  // The acceptance is the status message: the progress updater edits it as the job moves on. The
  // price line is for this first view; the user reads it before the worker is woken.
  try {
    const { locale, t } = announcer;
    const queued = {
      phase: "queued",
      short_id: result.shortId,
      locale,
      ...(req.lastImage ? { last_image: req.lastImage } : {}),
      ...(req.references?.length ? { references: req.references } : {}),
      ...(req.regeneration ? { regenerated_from: req.regeneration.of } : {}),
    };
    const view = renderProgress(t, queued as Parameters<typeof renderProgress>[1], result);
    await sendStatusMessage(deps, announcer, { chatId: req.chatId, replyTo: replyToOf(req), id: result.shortId }, view, [
      t(locale, "accepted-price", { price: result.price, balance: result.balance }),
      ...moreLines,
    ]);
  } finally {
    deps.onQueued(result.id, result.model);
  }
  return result;
}

type SourceGeneration = Pick<GenerationFields, "image" | "last_image" | "references" | "user_prompt" | "prompt" | "short_id" | "chat_id" | "user_id" | "pack_move"> &
  Parameters<typeof effectiveSettings>[1];

/**
 * A new request from a generation already made: the same photo (a transition's two, an album's all), description
 * and settings (a model disabled since: the default one), with `change` applied (other camera moves,
 * another format). A pack member keeps its own move unless other moves are chosen. Keyed by
 * `sourceMessageId`, the message the button belongs to. The chat's buttons and the studio's build
 * their requests here.
 */
export function requestFrom(config: Config, gen: SourceGeneration, sourceMessageId: number, change: Partial<GenerationSettings> = {}): Request {
  return {
    chatId: gen.chat_id,
    userId: gen.user_id,
    image: imageOf(gen.image),
    ...(gen.last_image ? { lastImage: imageOf(gen.last_image) } : {}),
    ...(gen.references?.length ? { references: gen.references.map(imageOf) } : {}),
    userPrompt: gen.user_prompt ?? gen.prompt,
    sourceMessageId,
    settings: { ...effectiveSettings(config, gen), ...change },
    ...(gen.pack_move && isCameraMove(gen.pack_move) && !change.cameraMoves ? { move: gen.pack_move } : {}),
    variationOf: gen.short_id,
  };
}

export type RegenerationAsk = { kind: "request"; request: Request } | { kind: "not-offered" } | { kind: "unavailable" };

/**
 * ✨ 2K of a delivered video: a request to render it again at the resolution its model regenerates
 * to, with its prompt exactly as MiniMax had it, priced as a video of that resolution and length.
 * Keyed by the video's message (REGEN_SLOT), so the chat's button and the studio's, pressed once or
 * twice each, make one job. "unavailable" when MiniMax no longer keeps the video's task and
 * Telegram's copy is too large to send back: nothing is reserved for a job that cannot be made.
 */
export function regenerationRequest(config: Config, gen: SourceGeneration & RegenerationSource & { model: string }, videoMessageId: number): RegenerationAsk {
  const offer = regenerationOf(config, gen);
  if (!offer || gen.phase !== "delivered") return { kind: "not-offered" };
  if (!minimaxKeeps(gen) && !telegramHasBytes(gen)) return { kind: "unavailable" };
  const request = requestFrom(config, gen, requestKey(videoMessageId, REGEN_SLOT), { resolution: offer.resolution });
  return { kind: "request", request: { ...request, regeneration: { of: gen.short_id, prompt: gen.prompt } } };
}
type RegenerationSource = Pick<GenerationFields, "model" | "phase" | "regenerated_from" | "minimax_job_id" | "submitted_at" | "telegram_video_file_id" | "video_bytes"> & {
  created_at?: Date | null;
};

/**
 * The key of the video on message `videoMessageId` made again in `format`: the chat's 📐 picker and
 * the studio's 📐 both use it, so a press in each (or two in either) makes one video.
 */
export const formatRequestKey = (videoMessageId: number, format: FormatName) => requestKey(videoMessageId, FORMAT_SLOT + FORMAT_NAMES.indexOf(format));

/**
 * The key of the photo on message `messageId` (a photo, or the message carrying a video of it) made
 * with `template`: the chat's pickers and the studio use it, so each template is made once per photo.
 */
export const templateRequestKey = (library: TemplateLibrary, messageId: number, template: Template) =>
  requestKey(messageId, TEMPLATE_SLOT + templateIndex(library, template.id));

/**
 * The settings a new photo is made with from a template: the template's camera moves, and its
 * suggested format and length unless the user chose their own in /settings.
 */
export function templateSettings(config: Config, stored: StoredSettings | null | undefined, template: Template): GenerationSettings {
  return effectiveSettings(config, {
    ...stored,
    format: stored?.format ?? template.format,
    duration: stored?.duration ?? template.duration,
    camera_moves: template.camera,
  });
}

/** `req` described by `template`: its prompt, its camera moves, and the template recorded. */
export function withTemplate(req: Request, template: Template, settings: GenerationSettings = req.settings): Request {
  // The template sets the camera, not a pack member's move.
  return { ...req, move: undefined, userPrompt: template.prompt, template: template.id, settings: { ...settings, cameraMoves: template.camera, variants: false } };
}
