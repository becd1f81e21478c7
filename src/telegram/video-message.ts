import { DEFAULT_FORMAT, formatKey, isFormatName } from "../images/formats.js";
import { modelSpec } from "../minimax/models.js";
import { cameraKey, isCameraMove } from "../minimax/camera.js";
import type { Translate } from "./i18n.js";
import { videoKeyboard } from "./keyboards.js";

/** What a video message says about its generation. */
export interface VideoOf {
  short_id: string;
  model: string;
  format?: string | null;
  /** A transition's second photo: the caption says it is a transition. */
  last_image?: unknown;
  pack_move?: string | null;
  /** A 2K regeneration: the video it was made from. */
  regenerated_from?: string | null;
}

/** The caption of a video: it is ready, its job id, the format and model it was made in, and its sound if it has one. */
export function videoCaption(t: Translate, locale: string, gen: VideoOf): string {
  const ready = gen.regenerated_from
    ? t(locale, "video-caption-2k", { id: gen.short_id, from: gen.regenerated_from })
    : t(locale, gen.last_image ? "video-caption-transition" : "video-caption", { id: gen.short_id });
  return [ready, details(t, locale, gen)].join("\n");
}

/** The format and model a video was made in. */
function details(t: Translate, locale: string, gen: VideoOf) {
  const format = isFormatName(gen.format) ? gen.format : DEFAULT_FORMAT;
  const model = modelSpec(gen.model);
  const line = t(locale, "video-caption-details", { format: t(locale, formatKey(format)), model: model?.name ?? gen.model });
  return model?.sound ? `${line} · ${t(locale, "video-caption-sound")}` : line;
}

/** The caption of a variant pack's video: its camera move first, as the album shows them side by side. */
export function packCaption(t: Translate, locale: string, gen: VideoOf): string {
  const move = gen.pack_move && isCameraMove(gen.pack_move) ? t(locale, cameraKey(gen.pack_move)) : "";
  return [t(locale, "pack-video-caption", { move, id: gen.short_id }), details(t, locale, gen)].join("\n");
}

/**
 * The buttons under a video; "Another camera move" only where its model reads camera commands,
 * "✨ 2K" with its price where the video can be made again at 2K (admission.ts, regenerationOf),
 * and "Studio" when `studio` is the studio's link for it (keyboards.ts, studioUrl).
 */
export const videoButtons = (t: Translate, locale: string, gen: VideoOf, studio?: string, twoKPrice?: number) =>
  videoKeyboard(t, locale, gen.short_id, {
    cameraMoves: modelSpec(gen.model)?.cameraCommands ?? true,
    ...(studio ? { studio } : {}),
    ...(twoKPrice !== undefined ? { twoKPrice } : {}),
  });
