import type { Config } from "../config.js";
import { isCameraMove, type CameraMove } from "../minimax/camera.js";
import { durationsOf, fitDuration, fitResolution, takesReferences, type ModelSpec } from "../minimax/models.js";
import { DEFAULT_FORMAT, isFormatName, type FormatName } from "../images/formats.js";
import type { Models } from "../db/models.js";
import { upsertOnce } from "../db/errors.js";

/** What a user chose in /settings, completed with the configured defaults and checked against the model. */
export interface GenerationSettings {
  /** An enabled model's id. */
  model: string;
  duration: number;
  resolution: string;
  format: FormatName;
  promptOptimizer: boolean;
  cameraMoves: CameraMove[];
  /** A new photo makes a variant pack (three videos, three camera moves) instead of one video. */
  variants: boolean;
  /** An album makes a video per photo, or one video from all of them (a model that takes references). */
  albums: AlbumMode;
}

export const ALBUM_MODES = ["each", "one"] as const;
export type AlbumMode = (typeof ALBUM_MODES)[number];
export const isAlbumMode = (value: unknown): value is AlbumMode => (ALBUM_MODES as readonly unknown[]).includes(value);

export interface StoredSettings {
  model?: string | null;
  duration?: number | null;
  resolution?: string | null;
  format?: string | null;
  prompt_optimizer?: boolean | null;
  camera_moves?: string[] | null;
  variants?: boolean | null;
  albums?: string | null;
}

/** An enabled model, or the default one when `id` is not (any more) enabled. */
export function enabledModel(config: Pick<Config, "models" | "model">, id: string | null | undefined): ModelSpec {
  return config.models.find((m) => m.id === id) ?? config.models.find((m) => m.id === config.model)!;
}

/** An album of these settings makes one video from all its photos: chosen, and the model takes references. */
export const albumsAsOne = (config: Pick<Config, "models" | "model">, s: Pick<GenerationSettings, "model" | "albums">) =>
  s.albums === "one" && takesReferences(enabledModel(config, s.model));

/** Durations the model offers to choose from (a fixed-output model: none to choose). */
export const durationChoices = (model: ModelSpec) => (model.fixedOutput ? [] : durationsOf(model));

/**
 * Stored (or partly given) settings made whole: an enabled model, and a duration and resolution it
 * offers, nearest to what was asked (the configured defaults when nothing was).
 */
export function effectiveSettings(config: Config, stored: StoredSettings | null | undefined): GenerationSettings {
  const model = enabledModel(config, stored?.model);
  const duration = fitDuration(model, stored?.duration ?? config.duration);
  return {
    model: model.id,
    duration,
    resolution: fitResolution(model, duration, stored?.resolution ?? config.resolution),
    format: isFormatName(stored?.format) ? stored.format : DEFAULT_FORMAT,
    promptOptimizer: stored?.prompt_optimizer ?? true, // MiniMax's own default
    cameraMoves: (stored?.camera_moves ?? []).filter(isCameraMove),
    variants: stored?.variants ?? false,
    albums: isAlbumMode(stored?.albums) ? stored.albums : "each",
  };
}

/** The settings as stored on the user. */
const toStored = (s: GenerationSettings): StoredSettings => ({
  model: s.model,
  duration: s.duration,
  resolution: s.resolution,
  format: s.format,
  prompt_optimizer: s.promptOptimizer,
  camera_moves: s.cameraMoves,
  variants: s.variants,
  albums: s.albums,
});

export async function loadSettings(deps: { config: Config; models: Models }, userId: number): Promise<GenerationSettings> {
  const user = await deps.models.User.findById(userId).select("settings").lean();
  return effectiveSettings(deps.config, user?.settings);
}

/**
 * Saves one change. The result is made whole again, so a new model or duration also moves the
 * duration and resolution to ones the model offers (1080P at 10 s becomes 768P).
 */
export async function saveSettings(deps: { config: Config; models: Models }, userId: number, change: Partial<GenerationSettings>) {
  const current = await loadSettings(deps, userId);
  const next = effectiveSettings(deps.config, toStored({ ...current, ...change }));
  await upsertOnce(() => deps.models.User.updateOne({ _id: userId }, { $set: { settings: toStored(next) } }, { upsert: true }));
  return next;
}

/** The fields a generation records about the settings it was made with. */
export function generationFields(config: Config, settings: GenerationSettings) {
  const model = enabledModel(config, settings.model);
  return {
    model: model.id,
    // A fixed-output model is sent neither; its price and caption come from its one option.
    ...(model.fixedOutput ? {} : { duration: settings.duration, resolution: settings.resolution }),
    format: settings.format,
    prompt_optimizer: settings.promptOptimizer,
  };
}
