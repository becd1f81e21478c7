import { open } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { request } from "undici";
import { Api } from "grammy";

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

/** Downloads files users sent, through getFile and the Bot API's file endpoint (20 MB at most there). */
export function createTelegramFiles(opts: { apiRoot: string; token: string }) {
  const api = new Api(opts.token, { apiRoot: opts.apiRoot });
  return {
    async download(fileId: string, maxBytes: number): Promise<Buffer> {
      let filePath: string | undefined;
      try {
        filePath = (await api.getFile(fileId)).file_path;
      } catch (err) {
        const code = (err as { error_code?: number }).error_code;
        throw new TelegramFileError(`getFile failed: ${(err as Error).message}`, code === 400);
      }
      if (!filePath) throw new TelegramFileError("getFile returned no file_path (file too big?)", true);
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
