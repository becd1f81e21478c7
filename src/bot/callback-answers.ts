import type { Transformer } from "grammy";

/**
 * Telegram accepts one answer per callback query, for a limited time. A redelivered update or a slow
 * handler gets "query is too old": the press itself was handled, so that refusal is not a failure.
 */
export const tolerateStaleCallbackAnswers: Transformer = async (prev, method, payload, signal) => {
  const res = await prev(method, payload, signal);
  if (method === "answerCallbackQuery" && !res.ok && /query is too old|query ID is invalid/i.test(res.description)) {
    return { ok: true, result: true as never };
  }
  return res;
};
