import { Composer, type Filter } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import { claimOnce } from "../../generations/claims.js";
import type { GenerationSettings } from "../../generations/settings.js";
import type { GenerationFields } from "../../db/models.js";
import { decodeMoves, encodeMoves, MAX_CAMERA_MOVES, toggleMove, type CameraMove } from "../../minimax/camera.js";
import { admit, announcerOf } from "../admission.js";
import { formatRequestKey, regenerationRequest, requestFrom } from "../../intake/requests.js";
import { startPack } from "../../intake/packs.js";
import { requestKey } from "../../generations/groups.js";
import { escapeHtml } from "../../telegram/i18n.js";
import { VIDEO_2K, VIDEO_AGAIN, VIDEO_FORMAT, VIDEO_MOVES, VIDEO_PACK, VIDEO_PROMPT } from "../../telegram/keyboards.js";
import { DEFAULT_FORMAT, FORMAT_NAMES, formatCode, formatFromCode, formatKey, isFormatName } from "../../images/formats.js";
import type { BotContext, BotDeps } from "../context.js";
import { moveRows, movesSummary } from "./settings.js";

type PressContext = Filter<BotContext, "callback_query:data">;
type GenerationDoc = GenerationFields & { _id: unknown };

const PICK = "mv"; // toggles a move in the picker: mv:<id>:<selection after the tap>
const PICK_FULL = "mvfull"; // a fourth move: refused with a note
const PICK_GO = "mvgo"; // mvgo:<id>:<selection>
const FORMAT_GO = "fmgo"; // fmgo:<id>:<format code>: makes the video again in that format
/**
 * A pack's note carries Again for each of its variants on one message: each is keyed by the note
 * and a slot of its own (beyond the pack's own slots 1 to 3, which a pack of that message would use).
 */
const NOTE_SLOT = 10;

/**
 * The buttons under a delivered video. Each makes an ordinary new generation from the stored photo
 * file_id, through the same admission as a photo. Its key (chat, message the button was pressed on)
 * is unique, so a double press or a redelivered callback_query admits one generation.
 */
export function variationsFeature(deps: BotDeps) {
  const { models, config } = deps;
  const feature = new Composer<BotContext>();
  const messageOf = (ctx: PressContext) => ctx.callbackQuery.message!.message_id;
  /** The request key of a button pressed on `messageId`: the message, and a slot when it carries the buttons of several variants. */
  // A pack member's Again (on the pack's note) is keyed by the member's own video message when it is
  // known, as the studio's Again on that video is, so the two make one job.
  const keyOf = (gen: GenerationDoc, messageId: number) =>
    gen.pack_index == null ? requestKey(messageId) : gen.video_message_id ? requestKey(gen.video_message_id) : requestKey(messageId, NOTE_SLOT + gen.pack_index);

  /** The user's own generation named in the button, or null (answered) when it is not theirs. */
  async function sourceOf(ctx: PressContext, shortId: string) {
    const gen = await models.Generation.findOne({ short_id: shortId, user_id: ctx.from.id }).lean<GenerationDoc>();
    if (!gen || !ctx.chat) {
      await ctx.answerCallbackQuery({ text: ctx.t("variation-gone") });
      return null;
    }
    return gen;
  }
  async function variation(ctx: PressContext, gen: GenerationDoc, sourceMessageId: number, change: Partial<GenerationSettings> = {}) {
    // Answered in the chat the button was pressed in.
    const result = await admit(ctx, deps, { ...requestFrom(config, gen, sourceMessageId, change), chatId: ctx.chat!.id });
    const answer = result.kind === "created" ? "variation-started" : result.kind === "duplicate" ? "variation-duplicate" : "variation-refused";
    await ctx.answerCallbackQuery({ text: ctx.t(answer) });
    return result;
  }

  // "Again": same photo, prompt and settings (camera moves included).
  feature.callbackQuery(new RegExp(`^${VIDEO_AGAIN}:(\\w+)$`), async (ctx) => {
    const gen = await sourceOf(ctx, ctx.match[1]!);
    if (!gen) return;
    await variation(ctx, gen, keyOf(gen, messageOf(ctx)));
  });

  // "🎲 3 variants": a pack of three videos of the same photo and description, one per camera move,
  // keyed by the video's message so a double press (or two instances) makes one pack.
  feature.callbackQuery(new RegExp(`^${VIDEO_PACK}:(\\w+)$`), async (ctx) => {
    const gen = await sourceOf(ctx, ctx.match[1]!);
    if (!gen) return;
    // Each member gets its own move (the pack sets them), and the key of its own slot of this message.
    const request = requestFrom(config, gen, messageOf(ctx), { cameraMoves: [] });
    const outcome = await startPack(deps, { ...request, chatId: ctx.chat!.id, messageId: messageOf(ctx) }, await announcerOf(ctx));
    await ctx.answerCallbackQuery({ text: ctx.t(outcome === "started" ? "pack-started" : outcome === "duplicate" ? "pack-duplicate" : "variation-refused") });
  });

  // "Another camera move": a picker for up to three moves; its message keys the new generation.
  const pickerKeyboard = (ctx: BotContext, shortId: string, selected: CameraMove[]): InlineKeyboardMarkup => {
    const full = selected.length >= MAX_CAMERA_MOVES;
    const rows = moveRows(ctx, selected, (text, move) => ({
      text,
      callback_data: full && !selected.includes(move) ? PICK_FULL : `${PICK}:${shortId}:${encodeMoves(toggleMove(selected, move))}`,
    }));
    if (selected.length) rows.push([{ text: ctx.t("button-make-video"), callback_data: `${PICK_GO}:${shortId}:${encodeMoves(selected)}` }]);
    return { inline_keyboard: rows };
  };
  const pickerText = (ctx: BotContext, gen: GenerationDoc, selected: CameraMove[]) =>
    ctx.t("moves-pick", { prompt: escapeHtml(gen.user_prompt ?? gen.prompt), moves: movesSummary(ctx, selected), count: selected.length });

  feature.callbackQuery(new RegExp(`^${VIDEO_MOVES}:(\\w+)$`), async (ctx) => {
    const gen = await sourceOf(ctx, ctx.match[1]!);
    if (!gen) return;
    const videoMessageId = ctx.callbackQuery.message!.message_id;
    // One picker per video: a second tap (or a redelivered update) points at the first.
    if (!(await claimOnce(models, `picker:${ctx.chat!.id}:${videoMessageId}`))) {
      return ctx.answerCallbackQuery({ text: ctx.t("moves-picker-open") });
    }
    await ctx.answerCallbackQuery();
    await ctx.reply(pickerText(ctx, gen, []), {
      parse_mode: "HTML",
      reply_markup: pickerKeyboard(ctx, gen.short_id, []),
      reply_parameters: { message_id: videoMessageId, allow_sending_without_reply: true },
    });
  });

  feature.callbackQuery(PICK_FULL, (ctx) => ctx.answerCallbackQuery({ text: ctx.t("camera-max") }));

  feature.callbackQuery(new RegExp(`^${PICK}:(\\w+):(\\w*)$`), async (ctx) => {
    const gen = await sourceOf(ctx, ctx.match[1]!);
    if (!gen) return;
    const selected = decodeMoves(ctx.match[2]!);
    await ctx.answerCallbackQuery();
    await ctx
      .editMessageText(pickerText(ctx, gen, selected), { parse_mode: "HTML", reply_markup: pickerKeyboard(ctx, gen.short_id, selected) })
      .catch((err: Error) => {
        if (!/message is not modified/.test(err.message)) throw err; // a double tap shows the same state
      });
  });

  feature.callbackQuery(new RegExp(`^${PICK_GO}:(\\w+):(\\w+)$`), async (ctx) => {
    const gen = await sourceOf(ctx, ctx.match[1]!);
    if (!gen) return;
    const moves = decodeMoves(ctx.match[2]!);
    const result = await variation(ctx, gen, ctx.callbackQuery.message!.message_id, { cameraMoves: moves });
    if (result.kind === "created") {
      await ctx.editMessageText(ctx.t("moves-chosen", { moves: movesSummary(ctx, moves) }), { parse_mode: "HTML" }).catch(() => undefined);
    }
  });

  // "Format": a picker of the other formats. The video and the chosen format key the new generation,
  // so a double tap, or the same format chosen in the studio, makes one.
  feature.callbackQuery(new RegExp(`^${VIDEO_FORMAT}:(\\w+)$`), async (ctx) => {
    const gen = await sourceOf(ctx, ctx.match[1]!);
    if (!gen) return;
    const videoMessageId = ctx.callbackQuery.message!.message_id;
    // One picker per video (a pack's note has a Format for each): a second tap (or a redelivered update) points at the first.
    if (!(await claimOnce(models, `format-picker:${ctx.chat!.id}:${videoMessageId}:${gen.short_id}`))) {
      return ctx.answerCallbackQuery({ text: ctx.t("format-picker-open") });
    }
    await ctx.answerCallbackQuery();
    const current = isFormatName(gen.format) ? gen.format : DEFAULT_FORMAT;
    const rows = FORMAT_NAMES.filter((f) => f !== current).map((f) => [{ text: ctx.t(formatKey(f)), callback_data: `${FORMAT_GO}:${gen.short_id}:${formatCode(f)}` }]);
    await ctx.reply(ctx.t("format-pick"), {
      parse_mode: "HTML",
      reply_markup: { inline_keyboard: rows },
      reply_parameters: { message_id: videoMessageId, allow_sending_without_reply: true },
    });
  });

  feature.callbackQuery(new RegExp(`^${FORMAT_GO}:(\\w+):(\\w+)$`), async (ctx) => {
    const gen = await sourceOf(ctx, ctx.match[1]!);
    if (!gen) return;
    const format = formatFromCode(ctx.match[2]!);
    if (!format) return ctx.answerCallbackQuery();
    // Keyed by the video and the format, as the studio's 📐 is; a video delivered before its message
    // was recorded has only this picker to key it.
    const key = gen.video_message_id ? formatRequestKey(gen.video_message_id, format) : ctx.callbackQuery.message!.message_id;
    const result = await variation(ctx, gen, key, { format });
    if (result.kind === "created") {
      await ctx.editMessageText(ctx.t("format-chosen", { format: ctx.t(formatKey(format)) }), { parse_mode: "HTML" }).catch(() => undefined);
    }
  });

  // "✨ 2K": the video made again at 2K, keyed by the video's message as the studio's ✨ 2K is, so a
  // double tap, a tap under the copy /history sent, or the chat and the studio at once make one job.
  feature.callbackQuery(new RegExp(`^${VIDEO_2K}:(\\w+)$`), async (ctx) => {
    const gen = await sourceOf(ctx, ctx.match[1]!);
    if (!gen) return;
    const ask = regenerationRequest(config, gen, gen.video_message_id ?? messageOf(ctx));
    if (ask.kind !== "request") return ctx.answerCallbackQuery({ text: ctx.t(ask.kind === "unavailable" ? "regen-unavailable" : "regen-not-offered") });
    const result = await admit(ctx, deps, { ...ask.request, chatId: ctx.chat!.id });
    await ctx.answerCallbackQuery({ text: ctx.t(result.kind === "created" ? "regen-started" : result.kind === "duplicate" ? "regen-duplicate" : "variation-refused") });
  });

  // "New prompt": same photo; the next text becomes its description (the parked-photo path).
  feature.callbackQuery(new RegExp(`^${VIDEO_PROMPT}:(\\w+)$`), async (ctx) => {
    // Descriptions are read in the private chat only: a photo parked in a group would never get one.
    if (ctx.chat?.type !== "private") return ctx.answerCallbackQuery({ text: ctx.t("new-prompt-private-only") });
    const gen = await sourceOf(ctx, ctx.match[1]!);
    if (!gen) return;
    await ctx.answerCallbackQuery();
    const ask = await ctx.reply(ctx.t("new-prompt-ask"), {
      parse_mode: "HTML",
      reply_parameters: { message_id: ctx.callbackQuery.message!.message_id, allow_sending_without_reply: true },
    });
    // Keyed by our question's message, so the new generation cannot collide with the original photo's.
    const { image, lastImage } = requestFrom(config, gen, ask.message_id);
    await models.User.updateOne(
      { _id: ctx.from.id },
      {
        $set: { pending_photo: { chat_id: ctx.chat!.id, message_id: ask.message_id, image, ...(lastImage ? { last_image: lastImage } : {}), variation_of: gen.short_id, parked_at: new Date() } },
        $unset: { pending_album: 1 },
      },
      { upsert: true },
    );
  });

  return feature;
}
