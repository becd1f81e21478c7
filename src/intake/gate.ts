import type { Config } from "../config.js";
import type { Models } from "../db/models.js";
import { claimOnce } from "../generations/claims.js";

export type ActionTaken = { ok: true } | { ok: false; retryAfterS: number };

/**
 * The one gate every door passes (the chat, the studio's API and its media links): who may use the
 * bot at all (ALLOWED_USER_IDS), and how often one user may set off work that calls Telegram or
 * MiniMax from the studio. The launch data in front of it is checked by the studio's door itself.
 */
export function createGate(config: Pick<Config, "allowedUserIds" | "studioActionLimit" | "studioActionWindowMs">, models: Models) {
  const allowed = config.allowedUserIds ? new Set(config.allowedUserIds) : undefined;
  const { studioActionLimit: limit, studioActionWindowMs: windowMs } = config;
  return {
    /** True when ALLOWED_USER_IDS is unset or names `userId`. */
    admits: (userId: number | undefined) => !allowed || (userId !== undefined && allowed.has(userId)),

    /**
     * Takes one of the user's actions in the current window, shared by every instance. Each use is
     * a unique insert (`studio-action:<user>:<window>:<n>`, n below the limit), so concurrent
     * requests never take more than the limit between them; the keys are pruned with the claims.
     */
    async takeAction(userId: number, now = Date.now()): Promise<ActionTaken> {
      const window = Math.floor(now / windowMs);
      const keys = Array.from({ length: limit }, (_, n) => `studio-action:${userId}:${window}:${n}`);
      const taken = new Set((await models.Claim.find({ _id: { $in: keys } }).select("_id").lean()).map((c) => String(c._id)));
      for (const key of keys) if (!taken.has(key) && (await claimOnce(models, key))) return { ok: true };
      return { ok: false, retryAfterS: Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000)) };
    },
  };
}

export type Gate = ReturnType<typeof createGate>;
