import { open } from "node:fs/promises";
import { isAbsolute } from "node:path";
import type { Readable } from "node:stream";
import { request } from "undici";
import { Api, GrammyError } from "grammy";
import { requestRange, type ByteRange } from "../byte-range.js";

export class TelegramFileError extends Error {
  override name = "TelegramFileError";
  constructor(
    message: string,
    /** True when asking again cannot help (the file is gone or too large). */
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** A file Telegram keeps, found with getFile: its size and a way to read it (or a part of it). */
export interface LocatedFile {
  size: number | undefined;
  open(range?: ByteRange): Promise<Readable>;
}

/** getFile's answer holds for an hour at least; reused for less than that, so a video's range requests ask once. */
const LOCATION_TTL_MS = 30 * 60_000;
const LOCATIONS_KEPT = 1_000;

/** Downloads files users sent, through getFile and the Bot API's file endpoint (20 MB at most there). */
export function createTelegramFiles(opts: { apiRoot: string; token: string }) {
  const api = new Api(opts.token, { apiRoot: opts.apiRoot });
  const locations = new Map<string, { path: string; size: number | undefined; until: number }>();

  async function where(fileId: string, reuse: boolean) {
    const known = reuse ? locations.get(fileId) : undefined;
    if (known && known.until > Date.now()) return known;
    let file;
    try {
      file = await api.getFile(fileId);
    } catch (err) {
      // "Bad Request: file is too big" past the cloud Bot API's 20 MB; a 400 is never worth asking again.
      const permanent = err instanceof GrammyError && err.error_code === 400;
      throw new TelegramFileError(`getFile failed: ${(err as Error).message}`, permanent);
    }
    if (!file.file_path) throw new TelegramFileError("getFile returned no file_path (file too big?)", true);
    const found = { path: file.file_path, size: file.file_size, until: Date.now() + LOCATION_TTL_MS };
    if (locations.size >= LOCATIONS_KEPT) locations.delete(locations.keys().next().value!);
    locations.set(fileId, found);
    return found;
  }

  return {
    /**
     * Finds a file for streaming. The download URL carries the bot token: it stays in here, and
     * errors name only what happened.
     */
    async locate(fileId: string): Promise<LocatedFile> {
      const { path, size } = await where(fileId, true);
      return {
        size,
        async open(range) {
          // A Bot API server in --local mode answers with a path on its own disk, shared with us.
          if (isAbsolute(path)) {
            const file = await open(path, "r").catch((err: { code?: string }) => {
              throw new TelegramFileError(`local Bot API file unreadable: ${err.code ?? "error"}`, false);
            });
            return file.createReadStream(range ?? {});
          }
          try {
            return await requestRange(`${opts.apiRoot}/file/bot${opts.token}/${path}`, range);
          } catch (err) {
            locations.delete(fileId); // an expired path is asked for again next time
            throw new TelegramFileError(`file download: ${(err as Error).message}`, false);
          }
        },
      };
    },

    async download(fileId: string, maxBytes: number): Promise<Buffer> {
      const filePath = (await where(fileId, false)).path;
      // A Bot API server in --local mode answers with a path on its own disk, shared with us.
      if (isAbsolute(filePath)) return readLocalFile(filePath, maxBytes);

      // The token is part of this URL: it must never appear in an error message or a log.
      const res = await request(`${opts.apiRoot}/file/bot${opts.token}/${filePath}`, { method: "GET" }).catch((err: { code?: string }) => {
        throw new TelegramFileError(`file download failed: ${err.code ?? "network error"}`, false);
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new TelegramFileError(`file download answered HTTP ${res.statusCode}`, res.statusCode === 404);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          res.body.destroy();
          throw new TelegramFileError(`file is larger than ${maxBytes} bytes`, true);
        }
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks, size);
    },
  };
}
/** Reads a file a local Bot API server stored; a missing volume is worth retrying once it is mounted. */
async function readLocalFile(path: string, maxBytes: number): Promise<Buffer> {
  let file;
  try {
    file = await open(path, "r");
  } catch (err) {
    throw new TelegramFileError(`local Bot API file unreadable: ${(err as { code?: string }).code ?? "error"}`, false);
  }
  try {
    const { size } = await file.stat();
    if (size > maxBytes) throw new TelegramFileError(`file is larger than ${maxBytes} bytes`, true);
    return await file.readFile();
  } finally {
    await file.close();
  }
}

export type TelegramFiles = ReturnType<typeof createTelegramFiles>;
