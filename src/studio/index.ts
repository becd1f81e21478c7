import { randomBytes } from "node:crypto";
import type { Api } from "grammy";
import type { Types } from "mongoose";
import type { Config } from "../config.js";
import { ACTIVE_PHASES, type GenerationFields, type Models, type Phase } from "../db/models.js";
import type { Logger } from "../logger.js";
import type { MiniMaxClient } from "../minimax/client.js";
import { CAMERA_MOVES, cameraKey, isCameraMove, MAX_CAMERA_MOVES, type CameraMove } from "../minimax/camera.js";
import type { TelegramFiles } from "../telegram/files.js";
import { localeFor, type Speaker, type Translate } from "../telegram/i18n.js";
import type { WebAppUser } from "../telegram/init-data.js";
import { createAccounts } from "../credits/accounts.js";
import { packInvoice, planInvoice, SUBSCRIPTION_PERIOD_S } from "../credits/payments.js";
import { planOf, setRenewal } from "../credits/plans.js";
import { referralCounts, referralLink } from "../credits/referrals.js";
import { dashboard } from "./dashboard.js";
import { defaultVideo, priceOf, regenerationOf } from "../generations/admission.js";
import { cancelGeneration } from "../generations/cancel.js";
import { HELD, queuePosition, type CreateResult } from "../generations/create.js";
import { renderProgress } from "../generations/progress.js";
import { createLeases } from "../generations/leases.js";
import { ALBUM_MODES, durationChoices, enabledModel, isAlbumMode, loadSettings, saveSettings, type GenerationSettings } from "../generations/settings.js";
import { modelSpec, resolutionsOf, takesReferences } from "../minimax/models.js";
import { DEFAULT_FORMAT, FORMAT_NAMES, formatKey, isFormatName } from "../images/formats.js";
import { admitRequest, formatRequestKey, regenerationRequest, requestFrom, templateRequestKey, withTemplate, type Announcer } from "../intake/requests.js";
import { categoryName, describedAs, inCategory, templateAbout, templateName, templateOf } from "../templates/library.js";
import { startPack } from "../intake/packs.js";
import { describeMovement, planText } from "../bot/features/balance.js";
import { albumPriceText, modelsText } from "../bot/features/settings.js";
import { stateOf } from "../bot/features/status.js";
import { galleryFilters, galleryItem, listGallery, type GalleryQuery } from "./gallery.js";
import type { GalleryItem, NamedItem, TemplateChoice } from "./shapes.js";
import { createVideoLocator } from "./media.js";
import { pageTexts, plainText, plainTranslator } from "./texts.js";

export interface StudioDeps {
  config: Config;
  models: Models;
  logger: Logger;
  /** The bot's API: invoice links, and the status message of what the studio starts. */
  api: Api;
  files: TelegramFiles;
  minimax: MiniMaxClient;
  t: Translate;
  /** Wakes the worker, as the bot does after admitting a request. */
  onQueued: (generation?: Types.ObjectId) => void;
  /** Counts a job admitted, by its template. */
  onCreated?: (template: string | undefined) => void;
  /** The bot's username (known once it has started): referral links point at it. */
  botUsername: () => string;
}

/** Who is looking, from checked launch data: their id, language, and when that launch data expires. */
export interface Viewer {
  id: number;
  firstName: string | undefined;
  locale: string;
  expiresS: number;
}

/** Jobs that finished this recently still show under "in progress", with how they ended. */
const RECENTLY_FINISHED_MS = 10 * 60_000;
const JOBS_SHOWN = 20;
const MOVEMENTS_SHOWN = 10;

export class StudioInputError extends Error {
  override name = "StudioInputError";
  readonly status = 400;
  readonly expose = true;
}

type Delivered = GenerationFields & { _id: Types.ObjectId };

/**
 * What the studio Mini App can see and do, for one user at a time. It reads and writes the same
 * documents as the chat (generations, the ledger, the user's settings) through the same functions,
 * so there is no second source of truth.
 */
export function createStudio(deps: StudioDeps) {
  const { config, models, t } = deps;
  const accounts = createAccounts(models, config);
  const leases = createLeases(models, `studio-${process.pid}-${randomBytes(4).toString("hex")}`, config.leaseMs);
  const locateVideo = createVideoLocator({ files: deps.files, minimax: deps.minimax, minimaxApiBase: config.minimaxApiBase });
  const delivered = (userId: number, shortId: string) => models.Generation.findOne({ short_id: shortId, user_id: userId, phase: "delivered" }).lean<Delivered>();
  /** The model a video made again from one of `model` is made by (the default one if it is disabled since). */
  const remakeModel = (model: string) => enabledModel(config, model);
  const formatChoices = (say: Speaker) => FORMAT_NAMES.map((f) => ({ value: f, label: say.t(formatKey(f)) }));
  /** What the studio starts is announced in the chat, in the user's language, as the chat's buttons do. */
  const announcerFor = (viewer: Viewer): Announcer => ({ api: deps.api, locale: viewer.locale, t, origin: { via: "studio" } });
  /** A video delivered before its message was recorded: only the button under it in the chat can key a new one. */
  const inChat = (say: Speaker, button: string) => ({ kind: "in-chat" as const, text: say.t("studio-in-chat", { button: say.t(button) }) });

  /** What the page is told of a video it asked for, `started` when it was admitted. */
  function answerOf(say: Speaker, result: CreateResult, started: string) {
    switch (result.kind) {
      case "created":
        return { kind: result.kind, id: result.shortId, text: started };
      case "duplicate":
        return { kind: result.kind, text: say.t("variation-duplicate") };
      case "limit":
        return { kind: result.kind, text: say.t("limit-reached", { max: result.max, source: "button" }) };
      case "credits":
        return { kind: result.kind, text: say.t("studio-again-credits", { price: result.price, balance: result.balance }) };
    }
  }

  /** The settings, what they can be changed to (as /settings offers it), and what a video costs with them. */
  function settingsView(locale: string, s: GenerationSettings) {
    const say = plainTranslator(t, locale);
    const model = enabledModel(config, s.model);
    const durations = durationChoices(model);
    const several = config.models.length > 1;
    return {
      settings: s,
      price: say.t("studio-settings-price", { price: priceOf(config, { model: s.model, duration: s.duration, resolution: s.resolution }) }),
      options: {
        models: several ? config.models.map((m) => ({ value: m.id, label: m.name })) : [],
        modelsText: several ? modelsText(say, config, s) : "",
        durations: durations.length > 1 ? durations.map((d) => ({ value: d, label: say.t("settings-duration", { seconds: d }) })) : [],
        resolutions: durations.length ? resolutionsOf(model, s.duration).map((r) => ({ value: r, label: r })) : [],
        formats: formatChoices(say),
        // Camera moves are bracket commands: offered only for a model that reads them.
        cameraMoves: model.cameraCommands ? CAMERA_MOVES.map((m) => ({ value: m, label: say.t(cameraKey(m)) })) : [],
        maxCameraMoves: MAX_CAMERA_MOVES,
        // One video from all of an album's photos: for a model that takes references, with its price.
        albums: takesReferences(model) ? ALBUM_MODES.map((mode) => ({ value: mode, label: say.t(`studio-albums-${mode}`) })) : [],
        albumsPrice: albumPriceText(say, config, s),
      },
    };
  }

  /** A change from the page, checked as strictly as the chat's menu offers it: anything else changes nothing. */
  function checkedChange(body: Record<string, unknown>, current: GenerationSettings): Partial<GenerationSettings> {
    const change: Partial<GenerationSettings> = {};
    const model = () => enabledModel(config, change.model ?? current.model);
    for (const key of Object.keys(body)) {
      if (!["model", "duration", "resolution", "format", "promptOptimizer", "cameraMoves", "albums"].includes(key)) throw new StudioInputError(`unknown setting "${key.slice(0, 40)}"`);
    }
    // In the order a menu would be used: the model first, since the rest follow it.
    if ("model" in body) {
      if (!config.models.some((m) => m.id === body.model)) throw new StudioInputError("model is not one of the enabled models");
      change.model = body.model as string;
    }
    if ("duration" in body) {
      if (!durationChoices(model()).includes(body.duration as number)) throw new StudioInputError("duration is not one the model offers");
      change.duration = body.duration as number;
    }
    if ("resolution" in body) {
      const duration = change.duration ?? current.duration;
      if (!durationChoices(model()).length || typeof body.resolution !== "string" || !resolutionsOf(model(), duration).includes(body.resolution)) {
        throw new StudioInputError(`resolution is not one the model offers at ${duration} s`);
      }
      change.resolution = body.resolution;
    }
    if ("format" in body) {
      if (!isFormatName(body.format)) throw new StudioInputError(`format must be one of ${FORMAT_NAMES.join(", ")}`);
      change.format = body.format;
    }
    if ("promptOptimizer" in body) {
      if (typeof body.promptOptimizer !== "boolean") throw new StudioInputError("promptOptimizer must be true or false");
      change.promptOptimizer = body.promptOptimizer;
    }
    if ("albums" in body) {
      if (!isAlbumMode(body.albums)) throw new StudioInputError(`albums must be one of ${ALBUM_MODES.join(", ")}`);
      if (body.albums === "one" && !takesReferences(model())) throw new StudioInputError("the model takes no reference pictures: one video from all is not offered");
      change.albums = body.albums;
    }
    if ("cameraMoves" in body) {
      const moves = body.cameraMoves;
      if (!Array.isArray(moves) || moves.length > MAX_CAMERA_MOVES || new Set(moves).size !== moves.length || !moves.every((m) => typeof m === "string" && isCameraMove(m))) {
        throw new StudioInputError(`cameraMoves must be up to ${MAX_CAMERA_MOVES} different moves`);
      }
      change.cameraMoves = moves as CameraMove[];
    }
    return change;
  }

  /** A format and a model by the names the chat uses for them; an unknown one by its stored value. */
  const formatName = (say: Speaker, format: string) => (isFormatName(format) ? say.t(formatKey(format)) : format);
  const modelName = (model: string) => modelSpec(model)?.name ?? model;
  const named = (locale: string) => {
    const say = plainTranslator(t, locale);
    return (item: GalleryItem): NamedItem => {
      const twoK = regenerationOf(config, { ...item, regenerated_from: item.regeneratedFrom });
      return {
        ...item,
        prompt: describedAs(t, locale, config.templates, { template: item.template, prompt: item.prompt }),
        formatName: formatName(say, item.format),
        modelName: modelName(item.model),
        readsCameraMoves: remakeModel(item.model).cameraCommands,
        twoK: twoK ? say.t("button-2k", { price: twoK.price }) : null,
      };
    };
  };

  return {
    async viewer(user: WebAppUser, authDate: number): Promise<Viewer> {
      const stored = await models.User.findById(user.id).select("locale").lean();
      return { id: user.id, firstName: user.first_name, locale: stored?.locale ?? localeFor(user.language_code), expiresS: authDate + config.webappAuthMaxAgeS };
    },

    texts: (locale: string) => pageTexts(t, locale),

    /** What a user ALLOWED_USER_IDS leaves out is told: the chat's words, in the launch data's language. */
    private: (languageCode: string | undefined) => plainTranslator(t, localeFor(languageCode)).t("private"),

    /** What a user who has used up the studio's actions for the moment is told. */
    slowDown: (viewer: Viewer) => plainTranslator(t, viewer.locale).t("studio-wait"),

    /** Every format, named as the chat names it: the page offers a video's other formats. */
    formats: (locale: string) => formatChoices(plainTranslator(t, locale)),

    /** The template library, named and described in the reader's language, in the chat's order of categories. */
    templates: (locale: string): TemplateChoice[] =>
      config.templates.categories.flatMap((category) =>
        inCategory(config.templates, category.id).map((tpl) => ({
          value: tpl.id,
          label: templateName(t, locale, tpl),
          about: plainText(templateAbout(t, locale, tpl)),
          category: categoryName(t, locale, category),
        })),
      ),

    /** A page of the gallery; the first page also says what the filters can offer. */
    async gallery(viewer: Viewer, query: GalleryQuery) {
      const [page, filters] = await Promise.all([listGallery(models, viewer.id, query), query.cursor ? undefined : galleryFilters(models, viewer.id)]);
      const say = plainTranslator(t, viewer.locale);
      const choices = filters && {
        formats: filters.formats.map((f) => ({ value: f, label: formatName(say, f) })),
        models: filters.models.map((m) => ({ value: m, label: modelName(m) })),
      };
      return { next: page.next, items: page.items.map(named(viewer.locale)), ...(choices ? { filters: choices } : {}) };
    },

    async galleryItem(viewer: Viewer, shortId: string) {
      const item = await galleryItem(models, viewer.id, shortId);
      return item && named(viewer.locale)(item);
    },

    async jobs(viewer: Viewer) {
      const say = plainTranslator(t, viewer.locale);
      const gens = await models.Generation.find({
        user_id: viewer.id,
        $or: [{ phase: { $in: [...ACTIVE_PHASES, "notifying"] } }, { completed_at: { $gt: new Date(Date.now() - RECENTLY_FINISHED_MS) } }],
      })
        .sort({ created_at: -1 })
        .limit(JOBS_SHOWN)
        .select("_id short_id locale user_prompt prompt template model phase error_code create_sent_at next_run_at minimax_status minimax_job_id created_at")
        .lean();
      return {
        jobs: await Promise.all(
          gens.map(async (gen) => {
            const waiting = (gen.phase === "queued" || gen.phase === "submitting") && gen.error_code !== "cancelled";
            const inQueue = waiting && gen.next_run_at.getTime() < HELD.getTime();
            // Cancel where the status message in the chat shows it: one rule for both (progress.ts).
            const view = renderProgress(t, { ...gen, locale: viewer.locale } as Parameters<typeof renderProgress>[1], { position: 0, waitMinutes: 0 });
            return {
              id: gen.short_id,
              prompt: describedAs(t, viewer.locale, config.templates, gen),
              phase: gen.phase as Phase,
              state: say.t(stateOf(gen)),
              active: (ACTIVE_PHASES as string[]).includes(gen.phase) || gen.phase === "notifying",
              cancellable: !!view.markup,
              position: inQueue ? say.t("studio-job-position", { position: await queuePosition(models, gen._id, gen.model) }) : null,
              createdAt: gen.created_at!.toISOString(),
            };
          }),
        ),
      };
    },

    async cancel(viewer: Viewer, shortId: string) {
      const outcome = await cancelGeneration({ models, leases, minimax: deps.minimax, logger: deps.logger }, shortId, viewer.id);
      // The notifier closes the job and the progress updater edits the status message in the chat.
      if (outcome === "cancelled") deps.onQueued();
      return { outcome, text: plainTranslator(t, viewer.locale).t(`cancel-${outcome.replace("_", "-")}`) };
    },

    async balance(viewer: Viewer) {
      const say = plainTranslator(t, viewer.locale);
      const state = await accounts.open(viewer.id);
      const [movements, plan, referrals] = await Promise.all([accounts.recent(viewer.id, MOVEMENTS_SHOWN), planOf(models, viewer.id), referralCounts(models, viewer.id)]);
      const link = referralLink(deps.botUsername(), config.referralSecret, viewer.id);
      return {
        balance: state.balance,
        inFlight: state.inFlight,
        summary: say.t("balance", { balance: state.balance, inFlight: state.inFlight }),
        movements: movements.map((entry) => ({ at: entry.at.toISOString(), change: entry.credits, text: describeMovement(say, entry) })),
        packs: config.starsPacks.map((p) => ({ credits: p.credits, stars: p.stars, label: say.t("studio-pack", { credits: p.credits, stars: p.stars }) })),
        // The plan on offer (as /buy offers it) and the one running, with its renewal.
        plans: config.plans.map((p) => ({ credits: p.credits, stars: p.stars, label: say.t("plan-offer", { credits: p.credits, stars: p.stars }), button: say.t("plan-button", { stars: p.stars }) })),
        plan: plan && { text: planText(say, plan), canceled: plan.canceled, button: say.t(plan.canceled ? "plan-resume" : "plan-cancel") },
        invite: { link, text: say.t("invite", { link, inviter: config.referralBonusInviter, invitee: config.referralBonusInvitee, ...referrals }) },
      };
    },

    /** A subscription invoice link for a plan on sale (30 days); its payments are credited by the bot's successful_payment path. */
    async planInvoiceLink(viewer: Viewer, credits: number) {
      const plan = config.plans.find((p) => p.credits === credits);
      if (!plan) return null;
      const invoice = planInvoice(plan, defaultVideo(config), plainTranslator(t, viewer.locale).t);
      const link = await deps.api.createInvoiceLink(invoice.title, invoice.description, invoice.payload, "", invoice.currency, invoice.prices, { subscription_period: SUBSCRIPTION_PERIOD_S });
      return { link };
    },

    /** Cancel renewal / Resume renewal, as under /balance; null when the viewer has no plan running. */
    async setRenewal(viewer: Viewer, canceled: unknown) {
      if (typeof canceled !== "boolean") throw new StudioInputError("canceled must be true or false");
      const plan = await setRenewal(models, deps.api, viewer.id, canceled);
      if (!plan) return null;
      const say = plainTranslator(t, viewer.locale);
      return { text: planText(say, plan), canceled: plan.canceled, button: say.t(plan.canceled ? "plan-resume" : "plan-cancel") };
    },

    isAdmin: (viewer: Viewer) => config.adminUserIds.includes(viewer.id),

    /** The operator's charts (ADMIN_USER_IDS only: the route refuses everyone else before this). */
    dashboard: () => dashboard(models),

    /** A Stars invoice link for a pack on sale; the payment is credited by the bot's successful_payment path. */
    async invoiceLink(viewer: Viewer, credits: number) {
      const pack = config.starsPacks.find((p) => p.credits === credits);
      if (!pack) return null;
      const invoice = packInvoice(pack, defaultVideo(config), plainTranslator(t, viewer.locale).t);
      const link = await deps.api.createInvoiceLink(invoice.title, invoice.description, invoice.payload, "", invoice.currency, invoice.prices);
      return { link };
    },

    async settings(viewer: Viewer) {
      return settingsView(viewer.locale, await loadSettings(deps, viewer.id));
    },

    async saveSettings(viewer: Viewer, body: Record<string, unknown>) {
      const change = checkedChange(body, await loadSettings(deps, viewer.id));
      return settingsView(viewer.locale, await saveSettings(deps, viewer.id, change));
    },

    /**
     * 🔁 Again from the studio: the chat's Again, through the same admission, keyed by the message
     * that carries the video, so the studio and the button under the video make one generation
     * between them. The status message goes to the chat as usual.
     */
    async again(viewer: Viewer, shortId: string) {
      const say = plainTranslator(t, viewer.locale);
      const gen = await delivered(viewer.id, shortId);
      if (!gen) return null;
      if (!gen.video_message_id) return inChat(say, "button-again");
      const result = await admitRequest(deps, requestFrom(config, gen, gen.video_message_id), announcerFor(viewer));
      return answerOf(say, result, say.t("studio-again-started"));
    },

    /**
     * 📐 another format from the studio: the chat's 📐 picker, keyed by the video's message and the
     * format (formatRequestKey) as the picker's choice is, so the two make one video of that format.
     */
    async format(viewer: Viewer, shortId: string, format: unknown) {
      const say = plainTranslator(t, viewer.locale);
      const gen = await delivered(viewer.id, shortId);
      if (!gen) return null;
      if (!isFormatName(format)) throw new StudioInputError(`format must be one of ${FORMAT_NAMES.join(", ")}`);
      if (format === (isFormatName(gen.format) ? gen.format : DEFAULT_FORMAT)) throw new StudioInputError("format is the video's own; pick another");
      if (!gen.video_message_id) return inChat(say, "button-format");
      const result = await admitRequest(deps, requestFrom(config, gen, formatRequestKey(gen.video_message_id, format), { format }), announcerFor(viewer));
      return answerOf(say, result, say.t("studio-format-started", { format: say.t(formatKey(format)) }));
    },

    /**
     * 🎲 3 variants from the studio: the chat's pack, keyed by the video's message as the 🎲 under it
     * is, so a press in each makes one pack. Only for a model that reads camera moves (the members
     * differ by their move alone); the chat shows 🎲 only then.
     */
    async variants(viewer: Viewer, shortId: string) {
      const say = plainTranslator(t, viewer.locale);
      const gen = await delivered(viewer.id, shortId);
      if (!gen) return null;
      const model = remakeModel(gen.model);
      if (!model.cameraCommands) return { kind: "no-camera" as const, text: say.t("studio-pack-no-camera", { model: model.name }) };
      if (!gen.video_message_id) return inChat(say, "button-pack");
      // Each member gets its own move (the pack sets them), as from the chat's 🎲.
      const request = requestFrom(config, gen, gen.video_message_id, { cameraMoves: [] });
      const outcome = await startPack(deps, { ...request, messageId: gen.video_message_id }, announcerFor(viewer));
      return { kind: outcome, text: say.t(outcome === "started" ? "studio-pack-started" : outcome === "duplicate" ? "pack-duplicate" : "studio-pack-refused") };
    },

    /**
     * 🧩 again with a template from the studio: the photo of one of the user's videos made with
     * another template, keyed by the video's message and the template as the chat's 🧩 picker is, so
     * a pick in each makes one video.
     */
    async template(viewer: Viewer, shortId: string, templateId: unknown) {
      const say = plainTranslator(t, viewer.locale);
      const gen = await delivered(viewer.id, shortId);
      if (!gen) return null;
      const template = typeof templateId === "string" ? templateOf(config.templates, templateId) : undefined;
      if (!template) throw new StudioInputError("template is not one of the library's");
      if (!gen.video_message_id) return inChat(say, "button-template");
      const key = templateRequestKey(config.templates, gen.video_message_id, template);
      const result = await admitRequest(deps, withTemplate(requestFrom(config, gen, key), template), announcerFor(viewer));
      return answerOf(say, result, say.t("studio-template-started", { name: templateName(t, viewer.locale, template) }));
    },

    /**
     * ✨ 2K from the studio: the chat's ✨ 2K, keyed by the video's message as the button under it is
     * (regenerationRequest), so the two, pressed at once, make one 2K video.
     */
    async regenerate(viewer: Viewer, shortId: string) {
      const say = plainTranslator(t, viewer.locale);
      const gen = await delivered(viewer.id, shortId);
      if (!gen) return null;
      if (!gen.video_message_id) return inChat(say, "studio-regen-button");
      const ask = regenerationRequest(config, gen, gen.video_message_id);
      if (ask.kind !== "request") return { kind: ask.kind, text: say.t(ask.kind === "unavailable" ? "regen-unavailable" : "regen-not-offered") };
      const result = await admitRequest(deps, ask.request, announcerFor(viewer));
      return answerOf(say, result, say.t("studio-regen-started"));
    },

    /** A delivered video's bytes for its owner: null when it is not theirs, "in-chat" when no longer kept. */
    async video(userId: number, shortId: string) {
      const gen = await delivered(userId, shortId);
      if (!gen) return null;
      return (await locateVideo(gen)) ?? ("in-chat" as const);
    },

    /** The photo a video was made from (its poster), for its owner. */
    async photo(userId: number, shortId: string) {
      const gen = await models.Generation.findOne({ short_id: shortId, user_id: userId }).select("image").lean();
      if (!gen) return null;
      return { mime: gen.image.mime, file: await deps.files.locate(gen.image.file_id) };
    },
  };
}

export type Studio = ReturnType<typeof createStudio>;
