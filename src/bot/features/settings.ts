import { Composer } from "grammy";
import { Menu, type MenuFlavor } from "@grammyjs/menu";
import { CAMERA_MOVES, cameraKey, toggleMove, type CameraMove } from "../../minimax/camera.js";
import { durationChoices, effectiveSettings, enabledModel, loadSettings, saveSettings, type GenerationSettings } from "../../generations/settings.js";
import { priceOf } from "../../generations/admission.js";
import { fitResolution, resolutionsOf } from "../../minimax/models.js";
import { FORMAT_NAMES, formatKey } from "../../images/formats.js";
import type { BotContext, BotDeps } from "../context.js";

type MenuContext = BotContext & MenuFlavor;

const mark = (on: boolean, label: string) => (on ? `✅ ${label}` : label);

/** A button label for one choice, with what a video costs with it. */
function choiceLabel(ctx: BotContext, config: BotDeps["config"], label: string, choice: { model: string; duration: number; resolution: string }) {
  const price = priceOf(config, choice);
  return ctx.t("settings-choice", { label, price });
}

/** The chosen moves as the user's phrases: "Push in, Zoom in", or "none". */
export function movesSummary(ctx: BotContext, moves: readonly CameraMove[]) {
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

/** The /settings message: what it is for, and the long option's note (Ozon wants 8 s or more). */
function settingsText(ctx: BotContext, config: BotDeps["config"], s: GenerationSettings) {
  const long = durationChoices(enabledModel(config, s.model)).find((d) => d >= 8);
  return [ctx.t("settings-title"), ...(long ? [ctx.t("settings-long-hint", { seconds: long })] : [])].join("\n");
}

/** Every enabled model, each with its description and its price at the user's length and quality (or the nearest it offers). */
function modelsText(ctx: BotContext, config: BotDeps["config"], s: GenerationSettings) {
  const lines = config.models.map((model) => {
    const { duration, resolution } = effectiveSettings(config, { duration: s.duration, resolution: s.resolution, model: model.id });
    return ctx.t("settings-model-line", {
      chosen: model.id === s.model ? "yes" : "no",
      name: model.name,
      description: ctx.t(model.descriptionKey),
      seconds: duration,
      resolution,
      price: priceOf(config, { model: model.id, duration, resolution }),
    });
  });
  return [ctx.t("settings-model-title"), ...lines].join("\n");
}

/** Edits the menu's message text; the menu plugin puts the menu being shown under it. */
const showText = (ctx: MenuContext, text: string) =>
  ctx.editMessageText(text, { parse_mode: "HTML" }).catch((err: Error) => {
    if (!/message is not modified/.test(err.message)) throw err; // a double tap shows the same state
  });

/**
 * /settings: the model (each with a one-line description and its price), duration and resolution
 * (only what the model offers), the format the photo is fitted to, the prompt optimizer and default
 * camera moves, kept per user in MongoDB. Every label is rendered from the stored settings, so any
 * instance renders the same menu.
 */
export function settingsFeature(deps: BotDeps) {
  const { config } = deps;
  const feature = new Composer<BotContext>();
  const userOf = (ctx: BotContext) => ctx.from!.id;

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
    const model = enabledModel(config, s.model);
    if (config.models.length > 1) {
      range.submenu(ctx.t("settings-model", { model: model.name }), "settings-model", (c) => showText(c, modelsText(c, config, s))).row();
    }
    const durations = durationChoices(model);
    if (durations.length > 1) {
      // Two a row when there are more (H3's four): a label with its price fits a phone two abreast.
      durations.forEach((d, i) => {
        if (i > 0 && durations.length > 2 && i % 2 === 0) range.row();
        const label = mark(s.duration === d, ctx.t("settings-duration", { seconds: d }));
        range.text(choiceLabel(ctx, config, label, { model: model.id, duration: d, resolution: fitResolution(model, d, s.resolution) }), (c) => change(c, { duration: d }));
      });
      range.row();
    }
    if (durations.length) {
      for (const r of resolutionsOf(model, s.duration)) {
        range.text(choiceLabel(ctx, config, mark(s.resolution === r, r), { model: model.id, duration: s.duration, resolution: r }), (c) => change(c, { resolution: r }));
      }
      range.row();
    }
    range.submenu(ctx.t("settings-format", { format: ctx.t(formatKey(s.format)) }), "settings-format", (c) => showText(c, c.t("settings-format-title")));
    // H3 has no prompt optimizer to switch: the choice is kept for the models that do.
    if (model.promptOptimizer) {
      range.row().text(ctx.t(s.promptOptimizer ? "settings-optimizer-on" : "settings-optimizer-off"), (c) => change(c, { promptOptimizer: !s.promptOptimizer }));
    }
    // Camera moves are bracket commands: shown only for a model that reads them (not H3, which reads
    // plain text); the chosen moves are kept for when a Hailuo model is chosen again.
    if (model.cameraCommands) range.row().submenu(ctx.t("settings-camera", { moves: movesSummary(ctx, s.cameraMoves) }), "settings-camera");
  });
  /** Back to the settings, their text included. */
  const backToSettings = (c: MenuContext) => loadSettings(deps, userOf(c)).then((s) => showText(c, settingsText(c, config, s)));

  const modelMenu = new Menu<BotContext>("settings-model", { onMenuOutdated, autoAnswer: true });
  modelMenu.dynamic(async (ctx, range) => {
    const s = await loadSettings(deps, userOf(ctx));
    for (const model of config.models) {
      range
        .text(mark(model.id === s.model, model.name), async (c) => {
          // The length and quality follow the model: the nearest it offers.
          const next = await saveSettings(deps, userOf(c), { model: model.id });
          c.menu.update();
          await showText(c, modelsText(c, config, next));
        })
        .row();
    }
    range.back(ctx.t("settings-back"), backToSettings);
  });
  menu.register(modelMenu);

  const formatMenu = new Menu<BotContext>("settings-format", { onMenuOutdated, autoAnswer: true });
  formatMenu.dynamic(async (ctx, range) => {
    const s = await loadSettings(deps, userOf(ctx));
    for (const format of FORMAT_NAMES) {
      range
        .text(mark(format === s.format, ctx.t(formatKey(format))), async (c) => {
          await saveSettings(deps, userOf(c), { format });
          c.menu.update();
        })
        .row();
    }
    range.back(ctx.t("settings-back"), backToSettings);
  });
  menu.register(formatMenu);

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
    const s = await loadSettings(deps, ctx.from.id);
    await ctx.reply(settingsText(ctx, config, s), { parse_mode: "HTML", reply_markup: menu });
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
