import type { Api } from "grammy";
import type { Models } from "../db/models.js";
import type { Logger } from "../logger.js";
import { localeFor, type Translate } from "../telegram/i18n.js";

export interface NotifierDeps {
  models: Models;
  telegram: Pick<Api, "sendMessage">;
  t: Translate;
  logger: Logger;
}

/**
 * Tells a user about a movement of their credits that no message of theirs asked for (a payment
 * found by reconciliation, a referral bonus), in their language: the one they chose with /language,
 * else the one their latest job was made in, else the client's language when known.
 */
export function createNotifier({ models, telegram, t, logger }: NotifierDeps) {
  async function localeOf(userId: number, languageCode?: string) {
    const user = await models.User.findById(userId).select("locale").lean();
    if (user?.locale) return user.locale;
    if (languageCode) return localeFor(languageCode);
    const latest = await models.Generation.findOne({ user_id: userId }).sort({ created_at: -1 }).select("locale").lean();
    return latest?.locale ?? localeFor(undefined);
  }

  return {
    localeOf,
    /** Sends the message; a user who blocked the bot is logged, not retried (the movement is made either way). */
    async tell(userId: number, key: string, variables: Record<string, string | number>, languageCode?: string) {
      try {
        await telegram.sendMessage(userId, t(await localeOf(userId, languageCode), key, variables), { parse_mode: "HTML" });
      } catch (err) {
        logger.warn({ user: userId, key, err: (err as Error).message }, "could not tell the user about a movement of their credits");
      }
    },
  };
}
export type Notifier = ReturnType<typeof createNotifier>;
