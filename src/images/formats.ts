/**
 * The shapes a video can be made in. A Hailuo video takes the shape of its first frame, so a format
 * is the shape the photo is fitted to before it goes to MiniMax (see fit.ts); "original" sends the
 * photo as it is. Named in locales/*.ftl as format-<code> with where sellers post that shape.
 */
export const FORMATS = {
  original: undefined,
  "3:4": { width: 3, height: 4 }, // Wildberries, Ozon cards
  "9:16": { width: 9, height: 16 }, // Reels, TikTok, Shorts, the Ozon app
  "1:1": { width: 1, height: 1 }, // feeds
  "16:9": { width: 16, height: 9 }, // Amazon, YouTube
} as const satisfies Record<string, Aspect | undefined>;

export type FormatName = keyof typeof FORMATS;
export const FORMAT_NAMES = Object.keys(FORMATS) as FormatName[];
export const DEFAULT_FORMAT: FormatName = "original";

/** A shape as whole numbers: 9:16 is { width: 9, height: 16 }; a photo's own size works too. */
export interface Aspect {
  width: number;
  height: number;
}

export const isFormatName = (value: unknown): value is FormatName => typeof value === "string" && Object.hasOwn(FORMATS, value);

/** "9:16" → "9x16": safe in callback data and locale ids, where ":" separates fields. */
export const formatCode = (format: FormatName) => format.replace(":", "x");
export const formatFromCode = (code: string): FormatName | undefined => {
  const name = code.replace("x", ":");
  return isFormatName(name) ? name : undefined;
};

/** The locale key of a format's name ("9:16 · Reels/TikTok/Shorts"). */
export const formatKey = (format: FormatName) => `format-${formatCode(format)}`;
