import { Composer, type Filter } from "grammy";
import { claimOnce } from "../../generations/claims.js";
import type { CreateResult, NewGeneration } from "../../generations/create.js";
import type { GenerationFields } from "../../db/models.js";
import { imageOf, requestFrom, templateRequestKey, templateSettings, withTemplate } from "../../intake/requests.js";
import { PARKED_ALBUM_MINUTES, runAlbum } from "../../intake/albums.js";
import { VIDEO_TEMPLATE } from "../../telegram/keyboards.js";
import { templateAbout, templateName, templateOf, type Template } from "../../templates/library.js";
import { categoryPage, TARGET, TEMPLATE_PAGE, TEMPLATE_PICK, topTemplates, topTemplatesKeyboard } from "../../templates/picker.js";
import { admit, announcerOf } from "../admission.js";
import type { BotContext, BotDeps } from "../context.js";
import { replyTo } from "../context.js";
import { upsertOnce } from "../../db/errors.js";

type Image = NewGeneration["image"];
type PressContext = Filter<BotContext, "callback_query:data">;

/** A parked photo, a template picked in /templates and the last photo sent all wait this long. */
export const TEMPLATE_WAIT_MINUTES = 30;
const fresh = (at: Date | null | undefined) => !!at && Date.now() - at.getTime() <= TEMPLATE_WAIT_MINUTES * 60_000;

/** What the text under a page of templates says a tap does, by what the pick applies to. */
const THEN = { p: "photo", a: "album", v: "video" } as const;
const thenOf = (target: string) => THEN[target[0] as keyof typeof THEN] ?? "ask";

/** The answer to a press, by what admitting its request came to. */
const answerKey = (result: CreateResult) => (result.kind === "created" ? "template-started" : result.kind === "duplicate" ? "variation-duplicate" : "variation-refused");

/**
 * A photo made with a template: the template's prompt and camera moves, and its suggested format and
 * length unless the user chose their own. Keyed by `sourceMessageId` like any photo: a parked photo's
 * own message, so a template and a typed description make one job between them.
 */
export async function admitWithTemplate(
  ctx: BotContext,
  deps: BotDeps,
  template: Template,
  from: { image: Image; lastImage?: Image; sourceMessageId: number; variationOf?: string },
) {
  const stored = ctx.storedUser !== undefined ? ctx.storedUser?.settings : (await deps.models.User.findById(ctx.from!.id).select("settings").lean())?.settings;
  const settings = templateSettings(deps.config, stored, template);
  const request = { chatId: ctx.chat!.id, userId: ctx.from!.id, image: from.image, lastImage: from.lastImage, userPrompt: template.prompt, sourceMessageId: from.sourceMessageId, settings, variationOf: from.variationOf };
  return admit(ctx, deps, withTemplate(request, template, settings));
}

/** The question under a photo or an album without a caption: its text, then the top templates. */
export async function askWithTemplates(deps: BotDeps, ctx: BotContext, target: string, text: string, twoPhotos = false) {
  const top = await topTemplates(deps, ctx.from!.id, twoPhotos);
  const locale = await ctx.i18n.getLocale();
  const t = (_: string, key: string, variables?: Record<string, string | number>) => ctx.t(key, variables);
  return { text: `${text}\n\n${ctx.t("template-or-pick")}`, markup: topTemplatesKeyboard(t, locale, target, top) };
}

/**
 * Templates wherever a seller meets them (issue 28): the buttons under the question about a photo
 * or an album without a caption, 🧩 under a delivered video, and /templates. A pick makes its job at
 * once, through the same admission and exactly-once keys as a caption or a button.
 */
export function templatesFeature(deps: BotDeps) {
  const { models, config } = deps;
  const library = config.templates;
  const feature = new Composer<BotContext>();
  const translate = (ctx: BotContext) => (_: string, key: string, variables?: Record<string, string | number>) => ctx.t(key, variables);
  const nameOf = async (ctx: BotContext, template: Template) => templateName(translate(ctx), await ctx.i18n.getLocale(), template);
  /** Answers a press by what admitting its request came to. */
  const answerPress = async (ctx: PressContext, result: CreateResult, template: Template) =>
    ctx.answerCallbackQuery({ text: ctx.t(answerKey(result), { name: await nameOf(ctx, template) }) });

  /** The template named in a press, or undefined (answered) when the library no longer has it. */
  async function templateIn(ctx: PressContext, id: string) {
    const template = templateOf(library, id);
    if (!template) await ctx.answerCallbackQuery({ text: ctx.t("variation-gone") });
    return template;
  }

  /** The question's message, once its pick started the job: it names the template and loses its buttons. */
  const markChosen = async (ctx: PressContext, template: Template) =>
    ctx.editMessageText(ctx.t("template-chosen", { name: await nameOf(ctx, template) }), { parse_mode: "HTML" }).catch(() => undefined);

  /**
   * A parked photo (message `photoMessageId`, or whichever is parked) made with `template`, keyed by
   * the photo as its description would be. False when no photo is parked (nothing answered).
   */
  async function pickForPhoto(ctx: PressContext, template: Template, photoMessageId?: number): Promise<boolean> {
    const user = await models.User.findById(ctx.from.id).select("pending_photo").lean();
    const photo = user?.pending_photo?.chat_id === ctx.chat!.id && (photoMessageId === undefined || user.pending_photo.message_id === photoMessageId) ? user.pending_photo : undefined;
    if (!photo) {
      if (photoMessageId === undefined) return false;
      // Started already (a second press, another instance), or the photo went.
      const made = await models.Generation.exists({ chat_id: ctx.chat!.id, source_message_id: photoMessageId });
      await ctx.answerCallbackQuery({ text: ctx.t(made ? "variation-duplicate" : "template-photo-gone") });
      return true;
    }
    const unpark = () => models.User.updateOne({ _id: ctx.from.id, "pending_photo.message_id": photo.message_id }, { $unset: { pending_photo: 1 } });
    if (!fresh(photo.parked_at)) {
      await unpark();
      await ctx.answerCallbackQuery();
      await replyTo(ctx, "photo-expired", { minutes: TEMPLATE_WAIT_MINUTES });
      return true;
    }
    const result = await admitWithTemplate(ctx, deps, template, {
      image: imageOf(photo.image),
      ...(photo.last_image ? { lastImage: imageOf(photo.last_image) } : {}),
      sourceMessageId: photo.message_id,
      ...(photo.variation_of ? { variationOf: photo.variation_of } : {}),
    });
    // As for a typed description: the job first, then the photo stops waiting.
    await unpark();
    await answerPress(ctx, result, template);
    if (result.kind === "created" && photoMessageId !== undefined) await markChosen(ctx, template);
    return true;
  }

  /** A parked album made with `template`: the album's decision goes on with its prompt, as with a typed description. */
  async function pickForAlbum(ctx: PressContext, template: Template, groupId: string) {
    const user = await models.User.findById(ctx.from.id).select("pending_album").lean();
    const parked = user?.pending_album?.chat_id === ctx.chat!.id && user.pending_album.group_id === groupId ? user.pending_album : undefined;
    if (!parked) {
      const made = await models.Generation.exists({ group_id: groupId });
      return ctx.answerCallbackQuery({ text: ctx.t(made ? "variation-duplicate" : "template-photo-gone") });
    }
    const unpark = () => models.User.updateOne({ _id: ctx.from.id, "pending_album.group_id": groupId }, { $unset: { pending_album: 1 } });
    if (Date.now() - parked.parked_at.getTime() > PARKED_ALBUM_MINUTES * 60_000) {
      await unpark();
      await ctx.answerCallbackQuery();
      return replyTo(ctx, "album-expired", { minutes: PARKED_ALBUM_MINUTES });
    }
    const group = await models.Group.findById(groupId);
    if (group) await runAlbum(deps, group, await announcerOf(ctx), template.prompt, template);
    await unpark();
    await ctx.answerCallbackQuery({ text: ctx.t("template-started", { name: await nameOf(ctx, template) }) });
    await markChosen(ctx, template);
  }

  /** The photo of one of the user's videos made again with `template` (🧩 under it, or the studio). */
  async function pickForVideo(ctx: PressContext, template: Template, shortId: string) {
    const gen = await models.Generation.findOne({ short_id: shortId, user_id: ctx.from.id }).lean<GenerationFields & { _id: unknown }>();
    if (!gen) return ctx.answerCallbackQuery({ text: ctx.t("variation-gone") });
    // Keyed by the video's message and the template, as the studio's is; before that message was recorded, by the picker.
    const key = templateRequestKey(library, gen.video_message_id ?? ctx.callbackQuery.message!.message_id, template);
    const result = await admit(ctx, deps, { ...withTemplate(requestFrom(config, gen, key), template), chatId: ctx.chat!.id });
    await answerPress(ctx, result, template);
  }

  /**
   * A pick in /templates: the photo parked for a description, else the last photo sent within 30
   * minutes (keyed by that photo and the template), else the next photo sent.
   */
  async function pickWithoutPhoto(ctx: PressContext, template: Template) {
    if (await pickForPhoto(ctx, template, undefined)) return;
    const user = await models.User.findById(ctx.from.id).select("last_photo").lean();
    const last = user?.last_photo?.chat_id === ctx.chat!.id && fresh(user.last_photo.sent_at) ? user.last_photo : undefined;
    if (last) {
      const result = await admitWithTemplate(ctx, deps, template, { image: imageOf(last.image), sourceMessageId: templateRequestKey(library, last.message_id, template) });
      return answerPress(ctx, result, template);
    }
    await upsertOnce(() => models.User.updateOne({ _id: ctx.from.id }, { $set: { pending_template: { chat_id: ctx.chat!.id, id: template.id, picked_at: new Date() } } }, { upsert: true }));
    await ctx.answerCallbackQuery();
    const text = ctx.t("template-send-photo", { name: await nameOf(ctx, template), about: templateAbout(translate(ctx), await ctx.i18n.getLocale(), template), minutes: TEMPLATE_WAIT_MINUTES });
    // Its sample video, where the operator set one, shows what the template makes.
    if (template.sample) return ctx.replyWithVideo(template.sample, { caption: text, parse_mode: "HTML" });
    return ctx.reply(text, { parse_mode: "HTML" });
  }

  feature.callbackQuery(new RegExp(`^${TEMPLATE_PICK}:${TARGET}:([a-z0-9-]+)$`), async (ctx) => {
    const [target, id] = [ctx.match[1]!, ctx.match[2]!];
    // Photos wait for a description in the private chat only; a video's photo can be made again anywhere.
    if (!target.startsWith("v") && ctx.chat?.type !== "private") return ctx.answerCallbackQuery({ text: ctx.t("new-prompt-private-only") });
    const template = await templateIn(ctx, id);
    if (!template) return;
    if (target.startsWith("p")) return void (await pickForPhoto(ctx, template, Number(target.slice(1))));
    if (target.startsWith("a")) return pickForAlbum(ctx, template, target.slice(1));
    if (target.startsWith("v")) return pickForVideo(ctx, template, target.slice(1));
    return pickWithoutPhoto(ctx, template);
  });

  // One category at a time, ◀️ ▶️ to the neighbouring ones.
  feature.callbackQuery(new RegExp(`^${TEMPLATE_PAGE}:${TARGET}:(\\d{1,3})$`), async (ctx) => {
    const target = ctx.match[1]!;
    const page = categoryPage(translate(ctx), await ctx.i18n.getLocale(), library, target, Number(ctx.match[2]), thenOf(target));
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(page.text, { parse_mode: "HTML", reply_markup: page.markup }).catch((err: Error) => {
      if (!/message is not modified/.test(err.message)) throw err;
    });
  });

  // 🧩 under a delivered video: the same photo with another template.
  feature.callbackQuery(new RegExp(`^${VIDEO_TEMPLATE}:(\\w+)$`), async (ctx) => {
    const gen = await models.Generation.findOne({ short_id: ctx.match[1], user_id: ctx.from.id }).select("short_id").lean();
    if (!gen || !ctx.chat) return ctx.answerCallbackQuery({ text: ctx.t("variation-gone") });
    const videoMessageId = ctx.callbackQuery.message!.message_id;
    // One picker per video: a second tap (or a redelivered update) points at the first.
    if (!(await claimOnce(models, `template-picker:${ctx.chat.id}:${videoMessageId}:${gen.short_id}`))) {
      return ctx.answerCallbackQuery({ text: ctx.t("moves-picker-open") });
    }
    await ctx.answerCallbackQuery();
    const top = await topTemplates(deps, ctx.from.id);
    await ctx.reply(ctx.t("template-pick-video"), {
      parse_mode: "HTML",
      reply_markup: topTemplatesKeyboard(translate(ctx), await ctx.i18n.getLocale(), `v${gen.short_id}`, top),
      reply_parameters: { message_id: videoMessageId, allow_sending_without_reply: true },
    });
  });

  // /templates: the library by category; a pick uses a photo sent in the last 30 minutes, or asks for one.
  feature.chatType("private").command("templates", async (ctx) => {
    const page = categoryPage(translate(ctx), await ctx.i18n.getLocale(), library, "n", 0, "ask");
    return ctx.reply(page.text, { parse_mode: "HTML", reply_markup: page.markup });
  });

  return feature;
}
