import { isLegacyModel, MODEL_OPTIONS, type Config } from "../config.js";
import { isCameraMove, type CameraMove } from "../minimax/camera.js";
import type { Models } from "../db/models.js";

/** What a user chose in /settings, completed with the configured defaults and checked against the model. */
export interface GenerationSettings {
  duration: 6 | 10;
  resolution: string;
  promptOptimizer: boolean;
  cameraMoves: CameraMove[];
}

export interface StoredSettings {
  duration?: number | null;
  resolution?: string | null;
  prompt_optimizer?: boolean | null;
  camera_moves?: string[] | null;
}

/** Durations the configured model offers (the I2V-01 family: 6 s only, and neither field is sent). */
export function durationsFor(config: Pick<Config, "model">): Array<6 | 10> {
  const perDuration: Partial<Record<6 | 10, readonly string[]>> = MODEL_OPTIONS[config.model];
  return ([6, 10] as const).filter((d) => perDuration[d]?.length);
}

/** The resolutions MODEL_OPTIONS allows for the model at `duration`. */
export function resolutionsFor(config: Pick<Config, "model">, duration: number): readonly string[] {
  const perDuration: Partial<Record<number, readonly string[]>> = MODEL_OPTIONS[config.model];
  return perDuration[duration] ?? [];
}

/**
 * A resolution the model takes at `duration`: the wanted one if allowed, else the nearest lower one
 * (1080P at 10 s becomes 768P), else the lowest offered.
 */
export function fitResolution(config: Pick<Config, "model">, duration: number, wanted: string): string {
  const allowed = resolutionsFor(config, duration);
  if (allowed.includes(wanted)) return wanted;
  const height = (r: string) => parseInt(r, 10);
  const lower = allowed.filter((r) => height(r) <= height(wanted)).sort((a, b) => height(b) - height(a));
  return lower[0] ?? allowed[0] ?? wanted;
}

export function effectiveSettings(config: Config, stored: StoredSettings | null | undefined): GenerationSettings {
  const durations = durationsFor(config);
  const duration = durations.includes(stored?.duration as 6 | 10) ? (stored!.duration as 6 | 10) : config.duration;
  return {
    duration,
    resolution: fitResolution(config, duration, stored?.resolution ?? config.resolution),
    promptOptimizer: stored?.prompt_optimizer ?? true, // MiniMax's own default
    cameraMoves: (stored?.camera_moves ?? []).filter(isCameraMove),
  };
}

export async function loadSettings(deps: { config: Config; models: Models }, userId: number): Promise<GenerationSettings> {
  const user = await deps.models.User.findById(userId).select("settings").lean();
  return effectiveSettings(deps.config, user?.settings);
}

/** Saves one change; a new duration also moves the resolution to one the model allows with it. */
export async function saveSettings(deps: { config: Config; models: Models }, userId: number, change: Partial<GenerationSettings>) {
  const current = await loadSettings(deps, userId);
  const next = { ...current, ...change };
  next.resolution = fitResolution(deps.config, next.duration, next.resolution);
  await deps.models.User.updateOne(
    { _id: userId },
    {
      $set: {
        settings: {
          duration: next.duration,
          resolution: next.resolution,
          prompt_optimizer: next.promptOptimizer,
          camera_moves: next.cameraMoves,
        },
      },
    },
    { upsert: true },
  );
  return next;
}

/** The fields a generation records about the settings it was made with. */
export function generationFields(config: Config, settings: GenerationSettings) {
  return {
    ...(isLegacyModel(config.model) ? {} : { duration: settings.duration, resolution: settings.resolution }),
    prompt_optimizer: settings.promptOptimizer,
  };
}
