import { createGeneration, type CreateResult, type NewGeneration } from "../generations/create.js";
import type { GenerationSettings } from "../generations/settings.js";
import { enabledModel, generationFields } from "../generations/settings.js";
import { IMAGE_RULES } from "../minimax/image.js";
import { registerStatusMessage, renderProgress } from "../generations/progress.js";
import { withCameraMoves, type CameraMove } from "../minimax/camera.js";
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

/**
 * The one way into the lifecycle for photos, parked photos and the buttons under a video alike:
 * admitted (or refused) by createGeneration, answered with the status message.
 */
export async function admit(ctx: BotContext, deps: BotDeps, req: Request): Promise<CreateResult> {
  // Only a model that reads bracket commands gets them; another would take them for words.
  const moves: CameraMove[] = enabledModel(deps.config, req.settings.model).cameraCommands ? req.settings.cameraMoves : [];
  const withMoves = withCameraMoves(req.userPrompt, moves);
  // Moves that would push the prompt past MiniMax's limit are left out rather than refusing the user's text.
  const prompt = [...withMoves].length <= IMAGE_RULES.maxPromptLength ? withMoves : req.userPrompt;
  const result = await createGeneration(deps, {
    chatId: req.chatId,
    userId: req.userId,
    sourceMessageId: req.sourceMessageId,
    locale: await ctx.i18n.getLocale(),
    prompt,
    image: req.image,
    options: {
      ...generationFields(deps.config, req.settings),
      user_prompt: req.userPrompt,
      ...(prompt !== req.userPrompt ? { camera_moves: moves } : {}),
      ...(req.variationOf ? { variation_of: req.variationOf } : {}),
    },
  });
  if (result.kind === "duplicate") return result; // Telegram redelivered an update we already took
  // A refusal says how to ask again: send the photo, or press the button under the video again.
  const source = req.variationOf ? "button" : "photo";
  if (result.kind === "limit") {
    await replyTo(ctx, "limit-reached", { max: result.max, source });
    return result;
  }
  if (result.kind === "credits") {
    await replyTo(ctx, "credits-short", { price: result.price, balance: result.balance, source });
    return result;
  }
  deps.logger.info({ generation: result.shortId, update: ctx.update.update_id, user: req.userId, position: result.position }, "generation queued");
  // The acceptance is the status message: the progress updater edits it as the job moves on. The
  // price line is for this first view; the user reads it before the worker is woken.
  try {
    const locale = await ctx.i18n.getLocale();
    const view = renderProgress((_, key, variables) => ctx.t(key, variables), { phase: "queued", short_id: result.shortId, locale } as Parameters<typeof renderProgress>[1], result);
    const sent = await ctx.reply([view.text, ctx.t("accepted-price", { price: result.price, balance: result.balance })].join("\n"), {
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
