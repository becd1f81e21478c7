import { Composer, type Filter } from "grammy";
import type { NewGeneration } from "../../generations/create.js";
import { effectiveSettings, enabledModel, loadSettings } from "../../generations/settings.js";
import { admit, announcerOf } from "../admission.js";
import { imageOf } from "../../intake/requests.js";
import { collectAlbumPart, PARKED_ALBUM_MINUTES, runAlbum } from "../../intake/albums.js";
import { startPack } from "../../intake/packs.js";
import { checkImage, IMAGE_RULES, isAcceptedImageType, sniffImage, type ImageProblem } from "../../minimax/image.js";
import { TelegramFileError } from "../../telegram/files.js";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";
import { templateOf } from "../../templates/library.js";
import { admitWithTemplate, askWithTemplates, TEMPLATE_WAIT_MINUTES } from "./templates.js";
import { upsertOnce } from "../../db/errors.js";

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
 * Photo (or image file) plus caption in, generation out (or a variant pack, when the user's settings
 * ask for one). A captionless photo is parked in the user's document until their next text message,
 * which becomes the prompt. The photos of an album are collected (intake/albums.ts) and decided
 * together once the album is complete; a captionless album is parked the same way.
 */
export function generateFeature(deps: BotDeps) {
  const { models, files } = deps;
  const feature = new Composer<BotContext>();
  const privateChat = feature.chatType("private");

  /** One photo of an album (undefined: refused, its reply already sent); the album is decided once complete. */
  async function takeAlbumPart(ctx: MessageContext, mediaGroupId: string, image: Image | undefined) {
    const album = await collectAlbumPart(models, {
      chatId: ctx.chat.id,
      userId: ctx.from.id,
      mediaGroupId,
      messageId: ctx.msg.message_id,
      image,
      caption: ctx.msg.caption,
      locale: await ctx.i18n.getLocale(),
    });
    deps.onAlbumPart?.(album);
  }

  async function submit(ctx: MessageContext, image: Image, prompt: string, sourceMessageId: number, variationOf?: string, lastImage?: Image) {
    const settings = ctx.storedUser !== undefined ? effectiveSettings(deps.config, ctx.storedUser?.settings) : await loadSettings(deps, ctx.from.id);
    const request = { chatId: ctx.chat.id, userId: ctx.from.id, image, lastImage, userPrompt: prompt, settings, variationOf };
    // The setting for new photos: three videos with three camera moves, for a model that reads them.
    if (settings.variants && enabledModel(deps.config, settings.model).cameraCommands) {
      return startPack(deps, { ...request, messageId: sourceMessageId }, await announcerOf(ctx));
    }
    await admit(ctx, deps, { ...request, sourceMessageId });
  }

  async function takeImage(ctx: MessageContext, image: Image, caption: string | undefined) {
    const problem = checkImage(image);
    const album = ctx.msg.media_group_id;
    if (album) await takeAlbumPart(ctx, album, problem ? undefined : image);
    if (problem) return replyProblem(ctx, problem);
    if (album) return;
    const now = new Date();
    // The last photo: a template picked in /templates within 30 minutes makes its video.
    const lastPhoto = { chat_id: ctx.chat.id, message_id: ctx.msg.message_id, image, sent_at: now };
    const prompt = caption?.trim();
    if (prompt) {
      await upsertOnce(() => models.User.updateOne({ _id: ctx.from.id }, { $set: { last_photo: lastPhoto }, $unset: { pending_template: 1 } }, { upsert: true }));
      return refusePrompt(ctx, prompt) ?? submit(ctx, image, prompt, ctx.msg.message_id);
    }
    // (No projection: FerretDB 1.24 takes none with findAndModify.)
    const waiting = await upsertOnce(() => models.User.findOneAndUpdate({ _id: ctx.from.id }, { $set: { last_photo: lastPhoto } }, { upsert: true }).lean());
    const picked = waiting?.pending_template;
    const template = picked?.chat_id === ctx.chat.id && now.getTime() - picked.picked_at.getTime() <= TEMPLATE_WAIT_MINUTES * 60_000 ? templateOf(deps.config.templates, picked.id) : undefined;
    if (template) {
      // Picked in /templates before the photo came: the photo's own message keys the job, as a caption would.
      await admitWithTemplate(ctx, deps, template, { image, sourceMessageId: ctx.msg.message_id });
      await models.User.updateOne({ _id: ctx.from.id, "pending_template.picked_at": picked!.picked_at }, { $unset: { pending_template: 1 } });
      return;
    }
    await upsertOnce(() =>
      models.User.updateOne(
        { _id: ctx.from.id },
        { $set: { pending_photo: { chat_id: ctx.chat.id, message_id: ctx.msg.message_id, image, parked_at: now } }, $unset: { pending_album: 1 } },
        { upsert: true },
      ),
    );
    // What should move: written, or one of the templates under the question.
    const ask = await askWithTemplates(deps, ctx, `p${ctx.msg.message_id}`, ctx.t("ask-prompt", { minutes: PARKED_PHOTO_MINUTES }));
    return ctx.reply(ask.text, { parse_mode: "HTML", reply_markup: ask.markup, reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true } });
  }

  privateChat.on("message:photo", async (ctx) => {
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
    // An album's file that cannot be used still counts as one of its parts: two files and a PDF are not a transition.
    const refusedPart = () => (ctx.msg.media_group_id ? takeAlbumPart(ctx, ctx.msg.media_group_id, undefined) : undefined);
    if (!isAcceptedImageType(doc.mime_type)) return (await refusedPart(), replyTo(ctx, "image-type"));
    if (doc.file_size !== undefined && doc.file_size >= IMAGE_RULES.maxBytes) {
      return (await refusedPart(), replyProblem(ctx, { rule: "too_large", size: doc.file_size }));
    }
    // A document's dimensions are unknown until we read its header, and its declared type may lie.
    let bytes: Buffer;
    try {
      bytes = await files.download(doc.file_id, IMAGE_RULES.maxBytes - 1);
    } catch (err) {
      if (err instanceof TelegramFileError && err.permanent) return (await refusedPart(), replyTo(ctx, "image-unreadable"));
      throw err;
    }
    const sniffed = sniffImage(bytes);
    if (!sniffed) return (await refusedPart(), replyTo(ctx, "image-unreadable"));
    return takeImage(
      ctx,
      { file_id: doc.file_id, file_unique_id: doc.file_unique_id, mime: sniffed.mime, width: sniffed.width, height: sniffed.height, size: bytes.length, sent_as: "document" },
      ctx.msg.caption,
    );
  });

  privateChat.on("message:text", async (ctx, next) => {
    const text = ctx.msg.text.trim();
    if (text.startsWith("/")) return next();
    const user = await models.User.findOne({ _id: ctx.from.id }).select("pending_photo pending_album").lean();
    const photo = user?.pending_photo?.chat_id === ctx.chat.id ? user.pending_photo : undefined;
    const album = user?.pending_album?.chat_id === ctx.chat.id ? user.pending_album : undefined;
    // Whichever waits is the one this text describes; should both, the one parked last.
    if (album && (album.parked_at.getTime() >= (photo?.parked_at?.getTime() ?? 0))) return describeAlbum(ctx, text, album);
    if (!photo) return next();
    const parkedAt = photo.parked_at?.getTime() ?? 0;
    if (Date.now() - parkedAt > PARKED_PHOTO_MINUTES * 60_000) {
      await models.User.updateOne({ _id: ctx.from.id, "pending_photo.message_id": photo.message_id }, { $unset: { pending_photo: 1 } });
      return replyTo(ctx, "photo-expired", { minutes: PARKED_PHOTO_MINUTES });
    }
    const refusal = refusePrompt(ctx, text);
    if (refusal) return refusal;
    // The generation first, then the parked photo is cleared: should the database fail in between,
    // Telegram's redelivery finds the photo still parked (the unique (chat, photo message) key
    // admits a single generation however often this runs, also when two texts race).
    await submit(ctx, imageOf(photo.image), text, photo.message_id, photo.variation_of ?? undefined, photo.last_image ? imageOf(photo.last_image) : undefined);
    await models.User.updateOne({ _id: ctx.from.id, "pending_photo.message_id": photo.message_id }, { $unset: { pending_photo: 1 } });
  });

  /** The description of a parked album: the album's decision goes on with it, then the album is no longer parked. */
  async function describeAlbum(ctx: MessageContext, text: string, parked: { group_id: string; parked_at: Date }) {
    const unpark = () => models.User.updateOne({ _id: ctx.from.id, "pending_album.group_id": parked.group_id }, { $unset: { pending_album: 1 } });
    if (Date.now() - parked.parked_at.getTime() > PARKED_ALBUM_MINUTES * 60_000) {
      await unpark();
      return replyTo(ctx, "album-expired", { minutes: PARKED_ALBUM_MINUTES });
    }
    const refusal = refusePrompt(ctx, text);
    if (refusal) return refusal;
    const group = await models.Group.findById(parked.group_id);
    if (group) await runAlbum(deps, group, await announcerOf(ctx), text);
    await unpark();
  }

  return feature;
}
