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

/** The caption of a video: it is ready, its job id, and the format and model it was made in. */
export function videoCaption(t: Translate, locale: string, gen: VideoOf): string {
  const format = isFormatName(gen.format) ? gen.format : DEFAULT_FORMAT;
  return [
    t(locale, "video-caption", { id: gen.short_id }),
    t(locale, "video-caption-details", { format: t(locale, formatKey(format)), model: modelSpec(gen.model)?.name ?? gen.model }),
  ].join("\n");
}

/**
 * The buttons under a video; "Another camera move" only where its model reads camera commands, and
 * "Studio" when `studio` is the studio's link for it (keyboards.ts, studioUrl).
 */
export const videoButtons = (t: Translate, locale: string, gen: VideoOf, studio?: string) =>
  videoKeyboard(t, locale, gen.short_id, { cameraMoves: modelSpec(gen.model)?.cameraCommands ?? true, ...(studio ? { studio } : {}) });
