import { Composer, type Filter } from "grammy";
import type { NewGeneration } from "../../generations/create.js";
import { effectiveSettings, loadSettings } from "../../generations/settings.js";
import { admit } from "../admission.js";
import { claimOnce } from "../../generations/claims.js";
import { checkImage, IMAGE_RULES, isAcceptedImageType, sniffImage, type ImageProblem } from "../../minimax/image.js";
import { TelegramFileError } from "../../telegram/files.js";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";

type Image = NewGeneration["image"];
type MessageContext = Filter<BotContext, "message">;

const promptLength = (text: string) => [...text].length;
/** A parked captionless photo waits this long for its prompt; a text days later is not a request. */
export const PARKED_PHOTO_MINUTES = 30;

/** The reply refusing a prompt MiniMax would refuse, or null when it fits. */
function refusePrompt(ctx: BotContext, prompt: string) {
  if (!prompt) return replyTo(ctx, "prompt-empty");
  const length = promptLength(prompt);
  if (length <= IMAGE_RULES.maxPromptLength) return null;
  // Numbers, not strings: Fluent picks the plural form from them ("2001 символ", "2002 символа").
  return replyTo(ctx, "prompt-too-long", { length, max: IMAGE_RULES.maxPromptLength });
}

function replyProblem(ctx: BotContext, problem: ImageProblem) {
  switch (problem.rule) {
    case "type":
      return replyTo(ctx, "image-type");
    case "too_large":
      // Numbers, formatted by NUMBER() in the locale files: "23.4 MB", «23,4 МБ».
      return replyTo(ctx, "image-too-large", { mb: problem.size / 1048576 });
    case "too_small":
      return replyTo(ctx, "image-too-small", { width: problem.width, height: problem.height });
    case "aspect":
      return replyTo(ctx, "image-aspect", { width: problem.width, height: problem.height });
  }
}

/**
 * Photo (or image file) plus caption in, generation out. A captionless photo is parked in the
 * user's document until their next text message, which becomes the prompt.
 */
export function generateFeature(deps: BotDeps) {
  const { models, files } = deps;
  const feature = new Composer<BotContext>();
  const privateChat = feature.chatType("private");

  /** Albums: one answer per album, however many photos it has and whichever instance gets them. */
  async function refuseAlbum(ctx: MessageContext, albumId: string) {
    if (await claimOnce(models, `album:${ctx.chat.id}:${albumId}`)) await replyTo(ctx, "album");
  }

  async function submit(ctx: MessageContext, image: Image, prompt: string, sourceMessageId: number, variationOf?: string) {
    const settings = ctx.storedUser !== undefined ? effectiveSettings(deps.config, ctx.storedUser?.settings) : await loadSettings(deps, ctx.from.id);
    await admit(ctx, deps, { chatId: ctx.chat.id, userId: ctx.from.id, image, userPrompt: prompt, sourceMessageId, settings, variationOf });
  }

  async function takeImage(ctx: MessageContext, image: Image, caption: string | undefined) {
    const problem = checkImage(image);
    if (problem) return replyProblem(ctx, problem);
    const prompt = caption?.trim();
    if (prompt) return refusePrompt(ctx, prompt) ?? submit(ctx, image, prompt, ctx.msg.message_id);
    await models.User.updateOne(
      { _id: ctx.from.id },
      { $set: { pending_photo: { chat_id: ctx.chat.id, message_id: ctx.msg.message_id, image, parked_at: new Date() } } },
      { upsert: true },
    );
    return replyTo(ctx, "ask-prompt", { minutes: PARKED_PHOTO_MINUTES });
  }

  privateChat.on("message:photo", async (ctx) => {
    if (ctx.msg.media_group_id) return refuseAlbum(ctx, ctx.msg.media_group_id);
    const largest = ctx.msg.photo.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    return takeImage(
      ctx,
      {
        file_id: largest.file_id,
        file_unique_id: largest.file_unique_id,
        mime: "image/jpeg", // Telegram re-encodes every photo as JPEG
        width: largest.width,
        height: largest.height,
        size: largest.file_size,
        sent_as: "photo",
      },
      ctx.msg.caption,
    );
  });

  privateChat.on("message:document", async (ctx) => {
    const doc = ctx.msg.document;
    if (!isAcceptedImageType(doc.mime_type)) return replyTo(ctx, "image-type");
    if (ctx.msg.media_group_id) return refuseAlbum(ctx, ctx.msg.media_group_id);
    if (doc.file_size !== undefined && doc.file_size >= IMAGE_RULES.maxBytes) {
      return replyProblem(ctx, { rule: "too_large", size: doc.file_size });
    }
    // A document's dimensions are unknown until we read its header, and its declared type may lie.
    let bytes: Buffer;
    try {
      bytes = await files.download(doc.file_id, IMAGE_RULES.maxBytes - 1);
    } catch (err) {
      if (err instanceof TelegramFileError && err.permanent) return replyTo(ctx, "image-unreadable");
      throw err;
    }
    const sniffed = sniffImage(bytes);
    if (!sniffed) return replyTo(ctx, "image-unreadable");
    return takeImage(
      ctx,
      { file_id: doc.file_id, file_unique_id: doc.file_unique_id, mime: sniffed.mime, width: sniffed.width, height: sniffed.height, size: bytes.length, sent_as: "document" },
      ctx.msg.caption,
    );
  });

  privateChat.on("message:text", async (ctx, next) => {
    const text = ctx.msg.text.trim();
    if (text.startsWith("/")) return next();
    const pending = await models.User.findOne({ _id: ctx.from.id, "pending_photo.chat_id": ctx.chat.id });
    if (!pending?.pending_photo) return next();
    const parkedAt = pending.pending_photo.parked_at?.getTime() ?? 0;
    if (Date.now() - parkedAt > PARKED_PHOTO_MINUTES * 60_000) {
      await models.User.updateOne(
        { _id: ctx.from.id, "pending_photo.message_id": pending.pending_photo.message_id },
        { $unset: { pending_photo: 1 } },
      );
      return replyTo(ctx, "photo-expired", { minutes: PARKED_PHOTO_MINUTES });
    }
    const refusal = refusePrompt(ctx, text);
    if (refusal) return refusal;
    // The generation first, then the parked photo is cleared: should the database fail in between,
    // Telegram's redelivery finds the photo still parked (the unique (chat, photo message) key
    // admits a single generation however often this runs, also when two texts race).
    const photo = pending.pending_photo;
    await submit(ctx, photo.image as Image, text, photo.message_id, photo.variation_of ?? undefined);
    await models.User.updateOne({ _id: ctx.from.id, "pending_photo.message_id": photo.message_id }, { $unset: { pending_photo: 1 } });
  });

  return feature;
}
