import { Composer } from "grammy";
import { Menu, type MenuFlavor } from "@grammyjs/menu";
import { CAMERA_MOVES, cameraKey, toggleMove, type CameraMove } from "../../minimax/camera.js";
import { durationChoices, effectiveSettings, enabledModel, loadSettings, saveSettings, type GenerationSettings } from "../../generations/settings.js";
import { priceOf } from "../../generations/admission.js";
import { resolutionsOf, takesReferences } from "../../minimax/models.js";
import { FORMAT_NAMES, formatKey } from "../../images/formats.js";
import { fitsRow } from "../../telegram/keyboards.js";
import type { BotContext, BotDeps } from "../context.js";
import type { Speaker } from "../../telegram/i18n.js";
import { upsertOnce } from "../../db/errors.js";

type MenuContext = BotContext & MenuFlavor;

const mark = (on: boolean, label: string) => (on ? `✅ ${label}` : label);

/** The chosen moves as the user's short names: "Push in, Zoom in", or "No movement". */
export function movesSummary(ctx: BotContext, moves: readonly CameraMove[]) {
  return moves.length ? moves.map((m) => ctx.t(cameraKey(m))).join(", ") : ctx.t("camera-none");
}

/** The camera button of /settings: the chosen moves by name when they fit on it, else how many. */
function cameraButton(ctx: BotContext, moves: readonly CameraMove[]) {
  const named = ctx.t("settings-camera", { moves: movesSummary(ctx, moves) });
  return fitsRow(named, 1) ? named : ctx.t("settings-camera-count", { count: moves.length });
}

// CAMERA_MOVES lists opposite moves in pairs ("Pan left", "Pan right"), then the three without one.
const FIRST_SINGLE_MOVE = CAMERA_MOVES.indexOf("Tracking shot");

/** Move buttons: each pair of opposites in a row of two, the single moves in a row of three; `selected` ones are ticked. */
export function moveRows<T>(ctx: BotContext, selected: readonly CameraMove[], button: (label: string, move: CameraMove) => T): T[][] {
  const rows: T[][] = [];
  CAMERA_MOVES.forEach((move, i) => {
    if (i < FIRST_SINGLE_MOVE ? i % 2 === 0 : i === FIRST_SINGLE_MOVE) rows.push([]);
    rows[rows.length - 1]!.push(button(mark(selected.includes(move), ctx.t(cameraKey(move))), move));
  });
  return rows;
}

/** Every enabled model, each with its description and its price at the user's length and quality (or the nearest it offers); /settings and the studio. */
export function modelsText(ctx: Speaker, config: BotDeps["config"], s: GenerationSettings) {
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

/**
 * What one video from all the photos of an album costs with these settings, by how many photos it
 * has (2 up to what the model takes): counts that cost the same share a range. Empty for a model
 * that takes no references. /settings and the studio show it before the choice is made.
 */
export function albumPriceText(ctx: Speaker, config: BotDeps["config"], s: GenerationSettings) {
  const model = enabledModel(config, s.model);
  if (!takesReferences(model)) return "";
  const tiers: Array<{ from: number; to: number; price: number }> = [];
  for (let photos = 2; photos <= model.referenceImages; photos++) {
    const price = priceOf(config, { model: s.model, duration: s.duration, resolution: s.resolution, references: Array.from({ length: photos }) });
    const last = tiers.at(-1);
    if (last?.price === price) last.to = photos;
    else tiers.push({ from: photos, to: photos, price });
  }
  return ctx.t("settings-albums-price", { tiers: tiers.map((tier) => ctx.t("settings-albums-price-tier", tier)).join(", ") });
}

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

  /**
   * The menu's text, with what a video costs with these settings (button labels have no room for
   * prices), and the long option's note (Ozon wants 8 s or more).
   */
  const title = (ctx: BotContext, s: GenerationSettings) => {
    const model = enabledModel(config, s.model);
    const long = durationChoices(model).find((d) => d >= 8);
    const price = priceOf(config, { model: s.model, duration: s.duration, resolution: s.resolution });
    // What each length and quality the model offers costs: one line a length.
    const prices = durationChoices(model).map((seconds) =>
      ctx.t("settings-price-length", {
        seconds,
        choices: resolutionsOf(model, seconds)
          .map((resolution) => ctx.t("settings-price-choice", { resolution, price: priceOf(config, { model: s.model, duration: seconds, resolution }) }))
          .join(", "),
      }),
    );
    const albums = albumPriceText(ctx, config, s);
    return [ctx.t("settings-title", { price }), ...prices, ...(long ? [ctx.t("settings-long-hint", { seconds: long })] : []), ...(albums ? [albums] : [])].join("\n");
  };
  /** Shows `text` in the menu's message: an edit inside a menu handler carries the menu along. */
  const showText = (ctx: MenuContext, text: string) =>
    ctx.editMessageText(text, { parse_mode: "HTML" }).catch((err: Error) => {
      if (!/message is not modified/.test(err.message)) throw err; // the same choice tapped again
    });
  const show = (ctx: MenuContext, s: GenerationSettings) => showText(ctx, title(ctx, s));
  /** Back to the settings from a submenu, their text included. */
  const backToSettings = async (c: MenuContext) => show(c, await loadSettings(deps, userOf(c)));

  const onMenuOutdated = async (ctx: MenuContext) => {
    await ctx.answerCallbackQuery({ text: ctx.t("menu-outdated") });
    await show(ctx, await loadSettings(deps, userOf(ctx)));
  };

  const menu = new Menu<BotContext>("settings", { onMenuOutdated, autoAnswer: true });
  menu.dynamic(async (ctx, range) => {
    const s = await loadSettings(deps, userOf(ctx));
    const change = async (c: MenuContext, patch: Partial<GenerationSettings>) => show(c, await saveSettings(deps, userOf(c), patch));
    const model = enabledModel(config, s.model);
    if (config.models.length > 1) {
      range.submenu(ctx.t("settings-model", { model: model.name }), "settings-model", (c) => showText(c, modelsText(c, config, s))).row();
    }
    const durations = durationChoices(model);
    if (durations.length > 1) {
      for (const d of durations) range.text(mark(s.duration === d, ctx.t("settings-duration", { seconds: d })), (c) => change(c, { duration: d }));
      range.row();
    }
    if (durations.length) {
      for (const r of resolutionsOf(model, s.duration)) range.text(mark(s.resolution === r, r), (c) => change(c, { resolution: r }));
      range.row();
    }
    range.submenu(ctx.t("settings-format", { format: ctx.t(formatKey(s.format)) }), "settings-format", (c) => showText(c, c.t("settings-format-title")));
    // H3 has no prompt optimizer to switch: the choice is kept for the models that do.
    if (model.promptOptimizer) {
      range.row().text(ctx.t(s.promptOptimizer ? "settings-optimizer-on" : "settings-optimizer-off"), (c) => change(c, { promptOptimizer: !s.promptOptimizer }));
    }
    // Camera moves are bracket commands: shown only for a model that reads them (not H3, which reads
    // plain text); the chosen moves are kept for when a Hailuo model is chosen again.
    // A variant pack varies the camera: shown with the camera moves.
    if (model.cameraCommands) {
      range.row().submenu(cameraButton(ctx, s.cameraMoves), "settings-camera");
      range.row().text(ctx.t(s.variants ? "settings-variants-on" : "settings-variants-off"), (c) => change(c, { variants: !s.variants }));
    }
    // One video from all of an album's photos needs a model that takes references; the choice is kept for when one is chosen again.
    if (takesReferences(model)) {
      range.row().text(ctx.t(s.albums === "one" ? "settings-albums-one" : "settings-albums-each"), (c) => change(c, { albums: s.albums === "one" ? "each" : "one" }));
    }
  });

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
    await ctx.reply(title(ctx, await loadSettings(deps, ctx.from.id)), { parse_mode: "HTML", reply_markup: menu });
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
      await upsertOnce(() => models.User.updateOne({ _id: ctx.from.id }, { $set: { locale } }, { upsert: true }));
      ctx.i18n.useLocale(locale);
      await ctx.editMessageText(ctx.t("language-set"), { parse_mode: "HTML" });
    });
  }
  feature.use(menu);
  feature.command("language", (ctx) => ctx.reply(ctx.t("language-choose"), { reply_markup: menu }));
  return feature;
}
