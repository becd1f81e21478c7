import { createHash } from "node:crypto";
import { Types, type QueryFilter } from "mongoose";
import type { GenerationFields, Models } from "../db/models.js";
import type { GalleryItem } from "./shapes.js";
import { DEFAULT_FORMAT, type FormatName } from "../images/formats.js";

export const GALLERY_PAGE = 24;
const MAX_PAGE = 100;

/**
 * A generation made before formats existed has no `format`: it kept the photo's own shape, which
 * is the format "original". The filter and the labels treat the two alike, so the gallery works
 * with the field present or absent.
 */
export const ORIGINAL_FORMAT: FormatName = DEFAULT_FORMAT;

export interface GalleryQuery {
  cursor?: string;
  format?: string;
  model?: string;
  limit?: number;
}

export class BadCursorError extends Error {
  override name = "BadCursorError";
}

/** The position after a video, newest first: its creation time and id (ids break ties). */
const encodeCursor = (gen: { created_at: Date; _id: Types.ObjectId }) => Buffer.from(`${gen.created_at.getTime()}:${String(gen._id)}`).toString("base64url");

function decodeCursor(cursor: string): { at: Date; id: Types.ObjectId } {
  const match = /^(\d{1,15}):([0-9a-f]{24})$/.exec(Buffer.from(cursor, "base64url").toString("latin1"));
  if (!match) throw new BadCursorError("cursor is not one this API gave out");
  return { at: new Date(Number(match[1])), id: new Types.ObjectId(match[2]) };
}

const ITEM_FIELDS = "short_id user_prompt prompt template model format duration resolution created_at image.file_unique_id variation_of regenerated_from telegram_video_file_id";
type Lean = GenerationFields & { _id: Types.ObjectId; created_at: Date; format?: string | null };

const formatFilter = (format: string): QueryFilter<GenerationFields> =>
  format === ORIGINAL_FORMAT ? { format: { $in: [ORIGINAL_FORMAT, null] } } : { format };

/**
 * A user's delivered videos, newest first, a page at a time. The cursor names the last video
 * shown, so a page never repeats or skips one when new videos arrive meanwhile.
 */
export async function listGallery(models: Models, userId: number, query: GalleryQuery) {
  const limit = Math.min(MAX_PAGE, Math.max(1, query.limit ?? GALLERY_PAGE));
  const and: QueryFilter<GenerationFields>[] = [{ user_id: userId, phase: "delivered" }];
  if (query.model) and.push({ model: query.model });
  if (query.format) and.push(formatFilter(query.format));
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    and.push({ $or: [{ created_at: { $lt: after.at } }, { created_at: after.at, _id: { $lt: after.id } }] });
  }
  const gens = await models.Generation.find({ $and: and })
    .sort({ created_at: -1, _id: -1 })
    .limit(limit + 1)
    .select(ITEM_FIELDS)
    .lean<Lean[]>();
  const page = gens.slice(0, limit);
  return {
    items: page.map(toItem),
    next: gens.length > limit ? encodeCursor(page.at(-1)!) : null,
  };
}

/** One of the user's delivered videos (the page opened at a video it has not listed yet). */
export async function galleryItem(models: Models, userId: number, shortId: string): Promise<GalleryItem | null> {
  const gen = await models.Generation.findOne({ short_id: shortId, user_id: userId, phase: "delivered" }).select(ITEM_FIELDS).lean<Lean>();
  return gen ? toItem(gen) : null;
}

function toItem(gen: Lean): GalleryItem {
  return {
    id: gen.short_id,
    prompt: gen.user_prompt ?? gen.prompt,
    model: gen.model,
    format: gen.format ?? ORIGINAL_FORMAT,
    duration: gen.duration ?? null,
    resolution: gen.resolution ?? null,
    createdAt: gen.created_at.toISOString(),
    photo: createHash("sha256").update(gen.image.file_unique_id).digest("base64url").slice(0, 12),
    variationOf: gen.variation_of ?? null,
    template: gen.template ?? null,
    regeneratedFrom: gen.regenerated_from ?? null,
    delivery: gen.telegram_video_file_id ? "upload" : "link",
  };
}

/**
 * The formats and models the user's videos were made in: what the filters offer. One $group with
 * no accumulator (FerretDB 1.24 fills only the first of several), instead of a distinct per field.
 */
export async function galleryFilters(models: Models, userId: number) {
  const pairs = await models.Generation.aggregate<{ _id: { model?: string | null; format?: string | null } }>([
    { $match: { user_id: userId, phase: "delivered" } },
    { $group: { _id: { model: "$model", format: "$format" } } },
  ]);
  const distinct = (values: Array<string | null | undefined>) => [...new Set(values.filter((v): v is string => typeof v === "string"))].sort();
  return {
    models: distinct(pairs.map((p) => p._id.model)),
    formats: distinct(pairs.map((p) => p._id.format ?? ORIGINAL_FORMAT)),
  };
}
