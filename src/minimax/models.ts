/**
 * The image-to-video models the bot can offer, as data (MiniMax contract, section 1). Everything
 * else (configuration checks, prices, /settings, what a submission sends) reads this table, so a
 * model with other durations or resolutions, or served by another API, is one more entry here.
 */
export interface ModelSpec {
  /** MiniMax's model name, as sent in `model`. */
  readonly id: string;
  /** What users see: a proper name, the same in every language. */
  readonly name: string;
  /** Which MiniMax API creates its tasks (contract: sections 1-6 are v1, section 7 is v2). */
  readonly api: "v1" | "v2";
  /** The resolutions offered at each duration (seconds), lowest first. */
  readonly options: Readonly<Record<number, readonly string[]>>;
  /** MiniMax takes neither duration nor resolution (the I2V-01 family): its one option is what it makes. */
  readonly fixedOutput: boolean;
  /** Takes a last frame (the video ends on a second picture). */
  readonly lastFrame: boolean;
  /** Reads `[Pan left]`-style camera commands in the prompt. */
  readonly cameraCommands: boolean;
  /** Takes MiniMax's `prompt_optimizer` switch. */
  readonly promptOptimizer: boolean;
  /** Its videos carry sound. */
  readonly sound: boolean;
  /** A task MiniMax still has queued can be cancelled there (and is then not charged). */
  readonly cancelQueued: boolean;
  /** Status checks without news come no more often than this (MiniMax's advice for its API). */
  readonly minPollIntervalMs: number;
  /** A first or last frame may be at most this many pixels on a side. */
  readonly maxImageSide?: number;
  /** MiniMax's pay-as-you-go price in US cents per second of video, by resolution, where the contract gives it. */
  readonly centsPerSecond?: Readonly<Record<string, number>>;
  /** The locale key of its one-line description (locales/*.ftl). */
  readonly descriptionKey: string;
  /**
   * How many pictures it takes as references (MiniMax's omni-reference mode, contract section 8):
   * an album becomes one video that keeps them all. 0: it takes none.
   */
  readonly referenceImages: number;
  /** Reference pictures MiniMax takes free; each one more costs `centsPerExtraImage`. */
  readonly freeReferenceImages?: number;
  readonly centsPerExtraImage?: number;
  /**
   * A finished video at `from` can be rendered again at `to` (MiniMax's H3-Regenerate-2K, contract
   * section 8), for as long as MiniMax keeps the task (`keepsTasksDays`).
   */
  readonly regeneration?: { readonly from: string; readonly to: string };
  /** How many days MiniMax answers queries about a task (and so gives its video's URL). */
  readonly keepsTasksDays?: number;
  /** The model a two-photo transition is made by unless the user's own model takes a last frame. */
  readonly transitionDefault?: boolean;
}

type Defaults = "api" | "fixedOutput" | "lastFrame" | "cameraCommands" | "promptOptimizer" | "sound" | "cancelQueued" | "minPollIntervalMs" | "referenceImages";
const v1 = (spec: Omit<ModelSpec, Defaults> & Partial<ModelSpec>): ModelSpec => ({
  api: "v1",
  fixedOutput: false,
  lastFrame: false,
  cameraCommands: true,
  promptOptimizer: true,
  sound: false,
  cancelQueued: false,
  minPollIntervalMs: 0,
  referenceImages: 0,
  ...spec,
});
const H3_DURATIONS = [5, 8, 10, 15];
/**
 * MiniMax-H3 and H3-Max (contract, section 7): 4 to 15 s, of which the bot offers 5, 8 (Ozon wants
 * 8 s or more), 10 and 15; stereo sound always; plain prompt text, no bracket commands, no prompt
 * optimizer; a queued task can be cancelled; MiniMax suggests polling about every 10 s. Both take
 * up to 9 reference pictures, the first 5 free and $0.04 each after (section 8), and their tasks can
 * be queried for 7 days.
 */
const v2 = (
  spec: Pick<ModelSpec, "id" | "name" | "descriptionKey" | "regeneration"> & { resolutions: readonly string[]; centsPerSecond: Record<string, number> },
): ModelSpec => ({
  id: spec.id,
  name: spec.name,
  descriptionKey: spec.descriptionKey,
  ...(spec.regeneration ? { regeneration: spec.regeneration } : {}),
  api: "v2",
  options: Object.fromEntries(H3_DURATIONS.map((d) => [d, spec.resolutions])),
  fixedOutput: false,
  lastFrame: true,
  cameraCommands: false,
  promptOptimizer: false,
  sound: true,
  cancelQueued: true,
  minPollIntervalMs: 10_000,
  maxImageSide: 5760,
  centsPerSecond: spec.centsPerSecond,
  referenceImages: 9,
  freeReferenceImages: 5,
  centsPerExtraImage: 4,
  keepsTasksDays: 7,
});
const I2V01_OPTIONS = { 6: ["720P"] };

export const MODELS: readonly ModelSpec[] = [
  v1({
    id: "MiniMax-Hailuo-02",
    name: "Hailuo 02",
    options: { 6: ["512P", "768P", "1080P"], 10: ["512P", "768P"] },
    lastFrame: true,
    transitionDefault: true,
    descriptionKey: "model-hailuo-02",
  }),
  v1({ id: "MiniMax-Hailuo-2.3", name: "Hailuo 2.3", options: { 6: ["768P", "1080P"], 10: ["768P"] }, descriptionKey: "model-hailuo-23" }),
  v1({ id: "MiniMax-Hailuo-2.3-Fast", name: "Hailuo 2.3 Fast", options: { 6: ["768P", "1080P"], 10: ["768P"] }, descriptionKey: "model-hailuo-23-fast" }),
  // Director reads camera commands like the Hailuo models; the other two do not.
  v1({ id: "I2V-01", name: "I2V-01", options: I2V01_OPTIONS, fixedOutput: true, cameraCommands: false, descriptionKey: "model-i2v-01" }),
  v1({ id: "I2V-01-live", name: "I2V-01-live", options: I2V01_OPTIONS, fixedOutput: true, cameraCommands: false, descriptionKey: "model-i2v-01-live" }),
  v1({ id: "I2V-01-Director", name: "I2V-01-Director", options: I2V01_OPTIONS, fixedOutput: true, descriptionKey: "model-i2v-01-director" }),
  // $0.08 a second at 768P, $0.13 at 2K. 480P has no price of its own in the contract: priced as 768P.
  // A 768P H3 video can be rendered again at 2K; H3-Max makes no 2K (section 8).
  v2({
    id: "MiniMax-H3",
    name: "MiniMax H3",
    resolutions: ["768P", "2K"],
    centsPerSecond: { "768P": 8, "2K": 13 },
    regeneration: { from: "768P", to: "2K" },
    descriptionKey: "model-h3",
  }),
  v2({ id: "MiniMax-H3-Max", name: "MiniMax H3 Max", resolutions: ["480P", "768P"], centsPerSecond: { "480P": 8, "768P": 8 }, descriptionKey: "model-h3-max" }),
];

/** Takes reference pictures: an album can become one video. */
export const takesReferences = (model: ModelSpec | undefined) => (model?.referenceImages ?? 0) > 0;

/** MINIMAX_MODELS when unset. */
export const DEFAULT_MODEL_IDS = ["MiniMax-Hailuo-02", "MiniMax-Hailuo-2.3", "MiniMax-Hailuo-2.3-Fast"] as const;

export const modelSpec = (id: string): ModelSpec | undefined => MODELS.find((m) => m.id === id);

/** The ids of every known model served by `api`, enabled or not (a job keeps its model). */
export const modelIdsOf = (api: ModelSpec["api"]) => MODELS.filter((m) => m.api === api).map((m) => m.id);

/** How long a status check waits for news of a task of `modelId`: the configured interval, at least the model's own floor. */
export const pollIntervalFor = (modelId: string, configuredMs: number) => Math.max(configuredMs, modelSpec(modelId)?.minPollIntervalMs ?? 0);

/** "6s-768P": a duration and a resolution as one key (prices, messages). */
export const priceKey = (duration: number, resolution: string) => `${duration}s-${resolution}`;

/** The durations the model offers, shortest first. */
export function durationsOf(model: ModelSpec): number[] {
  return Object.keys(model.options)
    .map(Number)
    .filter((d) => model.options[d]?.length)
    .sort((a, b) => a - b);
}

export const resolutionsOf = (model: ModelSpec, duration: number): readonly string[] => model.options[duration] ?? [];

/** Every duration/resolution pair the model offers. */
export function combinationsOf(model: ModelSpec): Array<{ duration: number; resolution: string }> {
  return durationsOf(model).flatMap((duration) => resolutionsOf(model, duration).map((resolution) => ({ duration, resolution })));
}

/** Picture height of a resolution name, for ordering them: "768P" → 768, "2K" → 1440. */
export function resolutionHeight(resolution: string): number {
  const k = /^(\d+)K$/i.exec(resolution);
  if (k) return { 2: 1440, 4: 2160 }[Number(k[1])] ?? Number(k[1]) * 540;
  return parseInt(resolution, 10) || 0;
}

/** A duration the model offers: the wanted one, else the longest shorter one, else its shortest. */
export function fitDuration(model: ModelSpec, wanted: number): number {
  const offered = durationsOf(model);
  if (offered.includes(wanted)) return wanted;
  return offered.filter((d) => d <= wanted).at(-1) ?? offered[0]!;
}

/**
 * A resolution the model takes at `duration`: the wanted one if offered, else the nearest lower one
 * (1080P at 10 s becomes 768P), else the lowest offered.
 */
export function fitResolution(model: ModelSpec, duration: number, wanted: string): string {
  const offered = resolutionsOf(model, duration);
  if (offered.includes(wanted)) return wanted;
  const lower = offered.filter((r) => resolutionHeight(r) <= resolutionHeight(wanted)).sort((a, b) => resolutionHeight(b) - resolutionHeight(a));
  return lower[0] ?? offered[0] ?? wanted;
}

/**
 * The resolution a video with a last frame is made at. Section 1 of the contract does not say
 * whether v1 offers 512P with a last frame, so there a lower wish is raised to the lowest
 * resolution from 768P up that the model offers at `duration`; v2 (section 7) has no such gap.
 */
export function lastFrameResolution(model: ModelSpec, duration: number, wanted: string): string {
  const fitted = fitResolution(model, duration, wanted);
  if (model.api !== "v1" || resolutionHeight(fitted) >= LAST_FRAME_MIN_HEIGHT) return fitted;
  const offered = [...resolutionsOf(model, duration)].sort((a, b) => resolutionHeight(a) - resolutionHeight(b));
  return offered.find((r) => resolutionHeight(r) >= LAST_FRAME_MIN_HEIGHT) ?? fitted;
}
const LAST_FRAME_MIN_HEIGHT = 768;

/** What a fixed-output model makes whatever is asked: its one combination. */
export const fixedCombination = (model: ModelSpec) => combinationsOf(model)[0]!;
