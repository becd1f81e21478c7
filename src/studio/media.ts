import { TelegramFileError, type LocatedFile, type TelegramFiles } from "../telegram/files.js";
import { MiniMaxApiError } from "../minimax/errors.js";
import type { MiniMaxClient } from "../minimax/client.js";
import { isTrustedDownloadUrl } from "../generations/deliver.js";

/** MiniMax's signed download links last hours; one retrieve serves a player's range requests for a while. */
const RETRIEVE_TTL_MS = 10 * 60_000;
const RETRIEVES_KEPT = 500;

interface VideoFiles {
  model: string;
  telegram_video_file_id?: string | null;
  minimax_job_id?: string | null;
  minimax_file_id?: string | null;
}

/**
 * Where a delivered video's bytes can still be read. Telegram keeps the uploaded video (getFile,
 * up to 20 MB on the cloud Bot API); a larger one, or one sent as a link, may still be with MiniMax
 * for a while. Null: neither has it any more, and the video lives only in the chat.
 */
export function createVideoLocator(deps: { files: TelegramFiles; minimax: MiniMaxClient; minimaxApiBase: string }) {
  const retrieved = new Map<string, { url: string; size: number | undefined; until: number }>();
  /** Telegram files getFile refused for good (too big): a player's next range requests go straight to MiniMax. */
  const refused = new Set<string>();

  async function fromMiniMax(gen: VideoFiles & { minimax_job_id: string }): Promise<LocatedFile | null> {
    const key = gen.minimax_job_id;
    let found = retrieved.get(key);
    if (!found || found.until < Date.now()) {
      let file;
      try {
        file = await deps.minimax.videoFile({ model: gen.model, taskId: gen.minimax_job_id, ...(gen.minimax_file_id ? { fileId: gen.minimax_file_id } : {}) });
      } catch (err) {
        if (err instanceof MiniMaxApiError) return null; // MiniMax no longer has it
        throw err;
      }
      if (!isTrustedDownloadUrl(file.downloadUrl, deps.minimaxApiBase)) return null;
      found = { url: file.downloadUrl, size: file.bytes, until: Date.now() + RETRIEVE_TTL_MS };
      if (retrieved.size >= RETRIEVES_KEPT) retrieved.delete(retrieved.keys().next().value!);
      retrieved.set(key, found);
    }
    const { url, size } = found;
    return {
      size,
      open: (range) =>
        deps.minimax.openRange(url, range).catch((err: unknown) => {
          retrieved.delete(key); // an expired link: ask for a fresh one next time
          throw err;
        }),
    };
  }

  return async function locateVideo(gen: VideoFiles): Promise<LocatedFile | null> {
    const telegramFile = gen.telegram_video_file_id;
    if (telegramFile && !refused.has(telegramFile)) {
      try {
        return await deps.files.locate(telegramFile);
      } catch (err) {
        // "file is too big" (over 20 MB on the cloud Bot API): MiniMax may still have it.
        if (!(err instanceof TelegramFileError && err.permanent)) throw err;
        if (refused.size >= RETRIEVES_KEPT) refused.clear();
        refused.add(telegramFile);
      }
    }
    return gen.minimax_job_id ? fromMiniMax({ ...gen, minimax_job_id: gen.minimax_job_id }) : null;
  };
}
