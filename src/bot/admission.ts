import type { Api } from "grammy";
import { createGeneration, type CreateResult, type NewGeneration } from "../generations/create.js";
import type { GenerationSettings } from "../generations/settings.js";
import { effectiveSettings, enabledModel, generationFields } from "../generations/settings.js";
import { IMAGE_RULES } from "../minimax/image.js";
import { registerStatusMessage, renderProgress } from "../generations/progress.js";
import { withCameraMoves, type CameraMove } from "../minimax/camera.js";
import type { GenerationFields } from "../db/models.js";
import type { Translate } from "../telegram/i18n.js";
import type { BotContext, BotDeps } from "./context.js";
import { replyTo } from "./context.js";

export interface Request {
  chatId: number;
  userId: number;
  image: NewGeneration["image"];
  /** What the user wrote; camera moves are added to it for MiniMax. */
  userPrompt: string;
  /** With chatId, the request's identity: the same key twice admits one generation. */
  sourceMessageId: number;
  settings: GenerationSettings;
  variationOf?: string;
}

/** Where the status message of an admitted request goes, and in which language. */
export interface Announcer {
  api: Api;
  locale: string;
  t: Translate;
  /** Added to the "generation queued" log line (the update id, or the studio as the origin). */
  origin: Record<string, unknown>;
}

export type AdmissionDeps = Pick<BotDeps, "config" | "models" | "logger" | "onQueued">;

/**
 * The one way into the lifecycle for photos, parked photos, the buttons under a video and the
 * studio's buttons alike: admitted (or refused) by createGeneration and, once admitted, announced
 * in the chat with the status message. A refusal is returned for the caller to explain where the
 * user is (a reply in the chat, an answer in the studio).
 */
export async function admitRequest(deps: AdmissionDeps, req: Request, announcer: Announcer): Promise<CreateResult> {
  // Only a model that reads bracket commands gets them; another would take them for words.
  const moves: CameraMove[] = enabledModel(deps.config, req.settings.model).cameraCommands ? req.settings.cameraMoves : [];
  const withMoves = withCameraMoves(req.userPrompt, moves);
  // Moves that would push the prompt past MiniMax's limit are left out rather than refusing the user's text.
  const prompt = [...withMoves].length <= IMAGE_RULES.maxPromptLength ? withMoves : req.userPrompt;
  const result = await createGeneration(deps, {
    chatId: req.chatId,
    userId: req.userId,
    sourceMessageId: req.sourceMessageId,
    locale: announcer.locale,
    prompt,
    image: req.image,
    options: {
      ...generationFields(deps.config, req.settings),
      user_prompt: req.userPrompt,
      ...(prompt !== req.userPrompt ? { camera_moves: moves } : {}),
      ...(req.variationOf ? { variation_of: req.variationOf } : {}),
    },
  });
  if (result.kind !== "created") return result; // a duplicate (Telegram redelivered) or a refusal
  deps.logger.info({ generation: result.shortId, ...announcer.origin, user: req.userId, position: result.position }, "generation queued");
  // The acceptance is the status message: the progress updater edits it as the job moves on. The
  // price line is for this first view; the user reads it before the worker is woken.
  try {
    const { api, locale, t } = announcer;
    const view = renderProgress(t, { phase: "queued", short_id: result.shortId, locale } as Parameters<typeof renderProgress>[1], result);
    const sent = await api.sendMessage(req.chatId, [view.text, t(locale, "accepted-price", { price: result.price, balance: result.balance })].join("\n"), {
      parse_mode: "HTML",
      reply_parameters: { message_id: req.sourceMessageId, allow_sending_without_reply: true },
      ...(view.markup ? { reply_markup: view.markup } : {}),
    });
    await registerStatusMessage(deps.models, result.shortId, req.chatId, sent.message_id, view);
  } finally {
    deps.onQueued(result.id, result.model);
  }
  return result;
}

/** admitRequest for an update: the status message and any refusal answer the update's chat. */
export async function admit(ctx: BotContext, deps: BotDeps, req: Request): Promise<CreateResult> {
  const locale = await ctx.i18n.getLocale();
  const result = await admitRequest(deps, req, { api: ctx.api, locale, t: (_, key, variables) => ctx.t(key, variables), origin: { update: ctx.update.update_id } });
  // A refusal says how to ask again: send the photo, or press the button under the video again.
  const source = req.variationOf ? "button" : "photo";
  if (result.kind === "limit") await replyTo(ctx, "limit-reached", { max: result.max, source });
  if (result.kind === "credits") await replyTo(ctx, "credits-short", { price: result.price, balance: result.balance, source });
  return result;
}

type SourceGeneration = Pick<GenerationFields, "image" | "user_prompt" | "prompt" | "short_id" | "chat_id" | "user_id"> & Parameters<typeof effectiveSettings>[1];

/** The stored photo of a generation, as a new request takes it. */
export function imageOf(gen: Pick<GenerationFields, "image">): Request["image"] {
  const { file_id, file_unique_id, mime, width, height, size, sent_as } = gen.image;
  return { file_id, file_unique_id, mime, width, height, ...(size ? { size } : {}), ...(sent_as ? { sent_as } : {}) };
}

/**
 * A new request from a generation already made: the same photo, description and settings (a model
 * disabled since: the default one), with `change` applied (other camera moves, another format).
 * Keyed by `sourceMessageId`, the message the button belongs to. The chat's buttons and the
 * studio's build their requests here.
 */
export function requestFrom(config: BotDeps["config"], gen: SourceGeneration, sourceMessageId: number, change: Partial<GenerationSettings> = {}): Request {
  return {
    chatId: gen.chat_id,
    userId: gen.user_id,
    image: imageOf(gen),
    userPrompt: gen.user_prompt ?? gen.prompt,
    sourceMessageId,
    settings: { ...effectiveSettings(config, gen), ...change },
    variationOf: gen.short_id,
  };
}
