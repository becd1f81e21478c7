/**
 * The shapes the studio's API answers with, shared by the server and the page (studio/src), which
 * imports these types only: this file must import nothing.
 */

export interface GalleryItem {
  id: string;
  prompt: string;
  model: string;
  format: string;
  duration: number | null;
  resolution: string | null;
  createdAt: string;
  /** The same for every video made from one photo: the page groups variants by it. */
  photo: string;
  variationOf: string | null;
  /** "link": too large for Telegram when it was made, so only MiniMax may still have it. */
  delivery: "upload" | "link";
}

/** A gallery item with its format and model named for the reader ("9:16 · Reels/TikTok/Shorts", "Hailuo 02"). */
export interface NamedItem extends GalleryItem {
  formatName: string;
  modelName: string;
  /** A video made again from it reads camera moves: 🎲 3 variants (which differ by their move) is offered. */
  readsCameraMoves: boolean;
}

/** A gallery item as the API sends it: named, with links to its poster, its video and its download, relative to the page. */
export interface GalleryEntry extends NamedItem {
  poster: string;
  video: string;
  download: string;
  /** When the three links stop working (unix seconds): the page asks for fresh ones then. */
  linksExpireAt: number;
}
