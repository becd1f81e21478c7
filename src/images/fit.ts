import sharp from "sharp";
import { IMAGE_RULES } from "../minimax/image.js";
import { FORMATS, type Aspect, type FormatName } from "./formats.js";

// One fit holds little (see fitPhoto); libvips' operation cache would keep decoded images past it.
sharp.cache(false);

/** A named format, or an explicit shape (an album fits its second photo to the first photo's size). */
export type FitTarget = FormatName | Aspect;

export interface FitOptions {
  /**
   * The result's longest side. Hailuo makes at most 1080P (1920 px), so a larger first frame only
   * costs time; a model with a larger output may ask for more.
   */
  maxLongEdge?: number;
  /** JPEG quality, 1-100. */
  quality?: number;
}

export interface FittedImage {
  data: Buffer;
  mime: "image/jpeg";
  width: number;
  height: number;
}

/** The photo could not be read as an image: trying again will not help. */
export class UnreadableImageError extends Error {
  override name = "UnreadableImageError";
}

export const FIT_DEFAULTS = { maxLongEdge: 1920, quality: 92 } as const;
/** Decoding refuses anything larger: 100 MP is past any phone camera, and bounds a decompression bomb. */
const MAX_INPUT_PIXELS = 100_000_000;
const INPUT = { limitInputPixels: MAX_INPUT_PIXELS, sequentialRead: true, failOn: "error" } as const;
/** The fill is made this many times smaller than the frame, blurred there, then enlarged: cheap and soft. */
const FILL_SHRINK = 12;
const FILL_BLUR_SIGMA = 2.5;
/** Fits at once per process: each holds a decoded copy of its photo, so they queue beyond this. */
const MAX_CONCURRENT_FITS = 2;
const TIMEOUT = { seconds: 30 };

let running = 0;
const waiting: Array<() => void> = [];
async function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_FITS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** The shape asked for as width / height, kept within MiniMax's 2:5 to 5:2. */
function ratioOf(target: FitTarget, photo: Aspect): number {
  const aspect = typeof target === "string" ? (FORMATS[target] ?? photo) : target;
  if (!(aspect.width > 0 && aspect.height > 0)) throw new RangeError(`not a shape: ${aspect.width}:${aspect.height}`);
  return Math.min(IMAGE_RULES.maxAspect, Math.max(IMAGE_RULES.minAspect, aspect.width / aspect.height));
}

/**
 * Where the photo goes: the smallest frame of the wanted shape that holds the whole photo, scaled
 * to at most `maxLongEdge` (and up, if need be, to MiniMax's shortest short edge). Nothing is cut.
 */
export function layout(photo: Aspect, ratio: number, maxLongEdge: number) {
  const frame = photo.width / photo.height > ratio ? { width: photo.width, height: photo.width / ratio } : { width: photo.height * ratio, height: photo.height };
  let scale = Math.min(1, maxLongEdge / Math.max(frame.width, frame.height));
  scale = Math.max(scale, IMAGE_RULES.minShortEdge / Math.min(frame.width, frame.height));
  // The frame's sides are rounded from one another, so its shape is the wanted one to the pixel.
  const wide = ratio >= 1;
  const long = Math.round(Math.max(frame.width, frame.height) * scale);
  const short = Math.max(IMAGE_RULES.minShortEdge, Math.round(wide ? long / ratio : long * ratio));
  const width = wide ? long : short;
  const height = wide ? short : long;
  let photoWidth = Math.min(width, Math.max(1, Math.round(photo.width * scale)));
  let photoHeight = Math.min(height, Math.max(1, Math.round(photo.height * scale)));
  // Rounding alone between the photo and the frame (its own shape): the photo fills it.
  if (width - photoWidth <= 1 && height - photoHeight <= 1) [photoWidth, photoHeight] = [width, height];
  return {
    width,
    height,
    photo: { width: photoWidth, height: photoHeight, left: Math.floor((width - photoWidth) / 2), top: Math.floor((height - photoHeight) / 2) },
  };
}

/**
 * Fits a photo to a shape for MiniMax: scaled, never cropped, centred, the rest of the frame filled
 * with an enlarged, blurred copy of the photo (as video editors fill side bars). The result is a
 * JPEG at high quality that meets MiniMax's rules for a first frame: short edge over 300 px, shape
 * within 2:5 to 5:2, under 20 MB. "original" keeps the photo's own shape (turned upright, resized
 * to the limits). Memory: one decoded copy of the photo at the result's size, at most two fits at once.
 */
export function fitPhoto(input: Buffer, target: FitTarget, options: FitOptions = {}): Promise<FittedImage> {
  const { maxLongEdge, quality } = { ...FIT_DEFAULTS, ...options };
  return oneAtATime(async () => {
    let meta;
    try {
      meta = await sharp(input, INPUT).metadata();
    } catch (err) {
      throw new UnreadableImageError(`not an image sharp can read: ${(err as Error).message}`);
    }
    if (!meta.width || !meta.height) throw new UnreadableImageError("the image has no size");
    // EXIF orientations 5-8 turn the picture a quarter: its upright width is the stored height.
    const turned = (meta.orientation ?? 1) >= 5;
    const upright = turned ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
    const frame = layout(upright, ratioOf(target, upright), maxLongEdge);

    try {
      // The photo at its place's size, upright, on white where it was transparent.
      const photo = await sharp(input, INPUT)
        .autoOrient()
        .resize(frame.photo.width, frame.photo.height, { fit: "fill" })
        .flatten({ background: "#ffffff" })
        .toColourspace("srgb")
        .removeAlpha()
        .raw()
        .timeout(TIMEOUT)
        .toBuffer({ resolveWithObject: true });
      const raw = { raw: { width: photo.info.width, height: photo.info.height, channels: photo.info.channels } };
      let picture;
      if (frame.photo.width === frame.width && frame.photo.height === frame.height) {
        picture = sharp(photo.data, raw);
      } else {
        const fill = await sharp(photo.data, raw)
          .resize(Math.max(1, Math.round(frame.width / FILL_SHRINK)), Math.max(1, Math.round(frame.height / FILL_SHRINK)), { fit: "cover" })
          .blur(FILL_BLUR_SIGMA)
          .raw()
          .timeout(TIMEOUT)
          .toBuffer({ resolveWithObject: true });
        picture = sharp(fill.data, { raw: { width: fill.info.width, height: fill.info.height, channels: fill.info.channels } })
          .resize(frame.width, frame.height, { fit: "fill", kernel: "cubic" })
          .composite([{ input: photo.data, ...raw, left: frame.photo.left, top: frame.photo.top }]);
      }
      const data = await picture.jpeg({ quality, chromaSubsampling: "4:4:4", mozjpeg: false }).timeout(TIMEOUT).toBuffer();
      if (data.length >= IMAGE_RULES.maxBytes) throw new RangeError(`the fitted image is ${data.length} bytes, over MiniMax's limit`);
      return { data, mime: "image/jpeg", width: frame.width, height: frame.height };
    } catch (err) {
      if (err instanceof RangeError) throw err;
      throw new UnreadableImageError(`the image could not be fitted: ${(err as Error).message}`);
    }
  });
}
