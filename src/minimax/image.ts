import { imageSize } from "image-size";

/** MiniMax's rules for a first frame (contract, section 1). */
export const IMAGE_RULES = {
  minShortEdge: 301, // "short edge over 300 px"
  minAspect: 2 / 5,
  maxAspect: 5 / 2,
  maxBytes: 20 * 1024 * 1024, // "under 20 MB"
  maxPromptLength: 2000,
} as const;

export const ACCEPTED_IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
export type ImageMime = (typeof ACCEPTED_IMAGE_TYPES)[number];
export const isAcceptedImageType = (mime: string | undefined): mime is ImageMime =>
  (ACCEPTED_IMAGE_TYPES as readonly string[]).includes(mime ?? "");

export type ImageProblem =
  | { rule: "type" }
  | { rule: "too_large"; size: number }
  | { rule: "too_small"; width: number; height: number }
  | { rule: "aspect"; width: number; height: number };

/** Checks what we know of an image before any byte goes to MiniMax; null when it passes. */
export function checkImage(image: { mime: string; width: number; height: number; size?: number | null }): ImageProblem | null {
  if (!isAcceptedImageType(image.mime)) return { rule: "type" };
  if (image.size != null && image.size >= IMAGE_RULES.maxBytes) return { rule: "too_large", size: image.size };
  const { width, height } = image;
  if (Math.min(width, height) < IMAGE_RULES.minShortEdge) return { rule: "too_small", width, height };
  const aspect = width / height;
  if (aspect < IMAGE_RULES.minAspect || aspect > IMAGE_RULES.maxAspect) return { rule: "aspect", width, height };
  return null;
}

const SNIFFED_TYPES: Record<string, ImageMime> = { jpg: "image/jpeg", png: "image/png", webp: "image/webp" };

/** Reads the real type and size from the file's header; null when it is not a JPEG, PNG or WebP. */
export function sniffImage(bytes: Uint8Array): { mime: ImageMime; width: number; height: number } | null {
  try {
    const info = imageSize(bytes);
    const mime = info.type ? SNIFFED_TYPES[info.type] : undefined;
    if (!mime || !info.width || !info.height) return null;
    // EXIF orientations 5-8 rotate by 90°, which swaps what MiniMax sees as width and height.
    const rotated = info.orientation !== undefined && info.orientation >= 5;
    return { mime, width: rotated ? info.height : info.width, height: rotated ? info.width : info.height };
  } catch {
    return null;
  }
}

export function toDataUrl(bytes: Uint8Array, mime: ImageMime): string {
  return `data:${mime};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")}`;
}
