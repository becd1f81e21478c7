import { DEFAULT_FORMAT, formatKey, isFormatName } from "../images/formats.js";
import { modelSpec } from "../minimax/models.js";
import type { Translate } from "./i18n.js";
import { videoKeyboard } from "./keyboards.js";

/** What a video message says about its generation. */
export interface VideoOf {
  short_id: string;
  model: string;
  format?: string | null;
}

/** The caption of a video: it is ready, its job id, the format and model it was made in, and its sound if it has one. */
export function videoCaption(t: Translate, locale: string, gen: VideoOf): string {
  const format = isFormatName(gen.format) ? gen.format : DEFAULT_FORMAT;
  const model = modelSpec(gen.model);
  const details = t(locale, "video-caption-details", { format: t(locale, formatKey(format)), model: model?.name ?? gen.model });
  return [t(locale, "video-caption", { id: gen.short_id }), model?.sound ? `${details} · ${t(locale, "video-caption-sound")}` : details].join("\n");
}

/**
 * The buttons under a video; "Another camera move" only where its model reads camera commands, and
 * "Studio" when `studio` is the studio's link for it (keyboards.ts, studioUrl).
 */
export const videoButtons = (t: Translate, locale: string, gen: VideoOf, studio?: string) =>
  videoKeyboard(t, locale, gen.short_id, { cameraMoves: modelSpec(gen.model)?.cameraCommands ?? true, ...(studio ? { studio } : {}) });
