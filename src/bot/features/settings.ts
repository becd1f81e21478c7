import { Composer } from "grammy";
import { Menu, type MenuFlavor } from "@grammyjs/menu";
import { CAMERA_MOVES, cameraKey, toggleMove, type CameraMove } from "../../minimax/camera.js";
import { durationsFor, fitResolution, loadSettings, resolutionsFor, saveSettings, type GenerationSettings } from "../../generations/settings.js";
import { priceOf } from "../../generations/admission.js";
import { isLegacyModel } from "../../config.js";
import type { BotContext, BotDeps } from "../context.js";
import type { Speaker } from "../../telegram/i18n.js";

type MenuContext = BotContext & MenuFlavor;

const mark = (on: boolean, label: string) => (on ? `✅ ${label}` : label);

/** A button label for one choice, with what a video costs with it (the chat's /settings and the studio's). */
export function choiceLabel(ctx: Speaker, config: BotDeps["config"], label: string, choice: { duration: number; resolution: string }) {
  const price = priceOf(config, { model: config.model, ...choice });
  return ctx.t("settings-choice", { label, price });
}

/** The chosen moves as the user's phrases: "Push in, Zoom in", or "none". */
export function movesSummary(ctx: Speaker, moves: readonly CameraMove[]) {
  return moves.length ? moves.map((m) => ctx.t(cameraKey(m))).join(", ") : ctx.t("camera-none");
}

/** Rows of three move buttons; `selected` ones are ticked. */
export function moveRows<T>(ctx: BotContext, selected: readonly CameraMove[], button: (label: string, move: CameraMove) => T): T[][] {
  const rows: T[][] = [];
  CAMERA_MOVES.forEach((move, i) => {
    if (i % 3 === 0) rows.push([]);
    rows[rows.length - 1]!.push(button(mark(selected.includes(move), ctx.t(cameraKey(move))), move));
  });
  return rows;
}

/**
 * /settings: duration, resolution (only what MODEL_OPTIONS allows with the chosen duration), the
 * prompt optimizer and a default camera move, kept per user in MongoDB. Every label is rendered
 * from the stored settings, so any instance renders the same menu.
 */
export function settingsFeature(deps: BotDeps) {
  const { config } = deps;
  const feature = new Composer<BotContext>();
  const userOf = (ctx: BotContext) => ctx.from!.id;
  const legacy = isLegacyModel(config.model);

  const onMenuOutdated = async (ctx: MenuContext) => {
    await ctx.answerCallbackQuery({ text: ctx.t("menu-outdated") });
    await ctx.menu.update({ immediate: true });
  };

  const menu = new Menu<BotContext>("settings", { onMenuOutdated, autoAnswer: true });
  menu.dynamic(async (ctx, range) => {
    const s = await loadSettings(deps, userOf(ctx));
    const change = async (c: MenuContext, patch: Partial<GenerationSettings>) => {
      await saveSettings(deps, userOf(c), patch);
      c.menu.update();
    };
    if (!legacy) {
      const durations = durationsFor(config);
      if (durations.length > 1) {
        for (const d of durations) {
          const label = mark(s.duration === d, ctx.t("settings-duration", { seconds: d }));
          range.text(choiceLabel(ctx, config, label, { duration: d, resolution: fitResolution(config, d, s.resolution) }), (c) => change(c, { duration: d }));
        }
        range.row();
      }
      for (const r of resolutionsFor(config, s.duration)) {
        range.text(choiceLabel(ctx, config, mark(s.resolution === r, r), { duration: s.duration, resolution: r }), (c) => change(c, { resolution: r }));
      }
      range.row();
    }
    range
      .text(ctx.t(s.promptOptimizer ? "settings-optimizer-on" : "settings-optimizer-off"), (c) => change(c, { promptOptimizer: !s.promptOptimizer }))
      .row();
    range.submenu(ctx.t("settings-camera", { moves: movesSummary(ctx, s.cameraMoves) }), "settings-camera");
  });

  const cameraMenu = new Menu<BotContext>("settings-camera", { onMenuOutdated, autoAnswer: false });
  cameraMenu.dynamic(async (ctx, range) => {
    const s = await loadSettings(deps, userOf(ctx));
    for (const row of moveRows(ctx, s.cameraMoves, (label, move) => ({ label, move }))) {
      for (const { label, move } of row) {
        range.text(label, async (c) => {
          const next = toggleMove(s.cameraMoves, move);
          const full = next.length === s.cameraMoves.length && !s.cameraMoves.includes(move);
          await c.answerCallbackQuery(full ? { text: c.t("camera-max"), show_alert: false } : {});
          if (full) return;
          await saveSettings(deps, userOf(c), { cameraMoves: next });
          c.menu.update();
        });
      }
      range.row();
    }
    range.text(mark(s.cameraMoves.length === 0, ctx.t("camera-none")), async (c) => {
      await c.answerCallbackQuery();
      await saveSettings(deps, userOf(c), { cameraMoves: [] });
      c.menu.update();
    });
    range.back(ctx.t("settings-back"), (c) => c.answerCallbackQuery());
  });
  menu.register(cameraMenu);

  feature.use(menu);
  feature.command("settings", async (ctx) => {
    if (!ctx.from) return;
    await ctx.reply(ctx.t("settings-title"), { parse_mode: "HTML", reply_markup: menu });
  });
  return feature;
}

/** /language: Russian or English, remembered; until chosen, the Telegram client's language rules. */
export function languageFeature(deps: BotDeps) {
  const { models } = deps;
  const feature = new Composer<BotContext>();

  // The stored choice wins over the client's language for every update of this user.
  feature.use(async (ctx, next) => {
    if (ctx.from) {
      // Settings come along: a photo needs them, and one read serves both.
      const user = await models.User.findById(ctx.from.id).select("locale settings").lean();
      ctx.storedUser = user;
      if (user?.locale) ctx.i18n.useLocale(user.locale);
    }
    return next();
  });

  const menu = new Menu<BotContext>("language", { onMenuOutdated: false });
  for (const [locale, label] of [["ru", "🇷🇺 Русский"], ["en", "🇬🇧 English"]] as const) {
    menu.text(label, async (ctx) => {
      await models.User.updateOne({ _id: ctx.from.id }, { $set: { locale } }, { upsert: true });
      ctx.i18n.useLocale(locale);
      await ctx.editMessageText(ctx.t("language-set"), { parse_mode: "HTML" });
    });
  }
  feature.use(menu);
  feature.command("language", (ctx) => ctx.reply(ctx.t("language-choose"), { reply_markup: menu }));
  return feature;
}
