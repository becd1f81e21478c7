import { caseSensitiveRouter } from "../router.js";
import type { Logger } from "../../logger.js";
import { callbackTask, type CallbackOutcome } from "../../generations/status.js";
import { jsonBody, objectBody } from "../middlewares/body.js";
import { MINIMAX_CALLBACK_PATH } from "../paths.js";

type Recheck = NonNullable<Extract<CallbackOutcome, { kind: "accepted" }>["recheck"]>;

export type { Recheck };
export type CallbackHandler = (params: { generation: string; token: string }, body: Record<string, unknown>) => Promise<CallbackOutcome>;

/**
 * MiniMax's callbacks. The challenge arrives while our own create request is still open, so this
 * must stay a quick, independent path; real work is left to the worker, which `onRecheck` hands
 * the generation to.
 */
export function minimaxCallbackRoutes(handle: CallbackHandler, onRecheck: (recheck: Recheck) => Promise<void>, logger: Logger) {
  const router = caseSensitiveRouter();
  router.post(MINIMAX_CALLBACK_PATH, jsonBody(), async (ctx) => {
    const started = performance.now();
    const body = objectBody(ctx.request.body);
    if (!body) return ctx.throw(400, "Expected a JSON object");
    const generation = typeof ctx.query.generation === "string" ? ctx.query.generation : "";
    const token = typeof ctx.query.token === "string" ? ctx.query.token : "";
    if (!(generation && token)) ctx.throw(403, "Forbidden");

    const outcome = await handle({ generation, token }, body);
    // The id comes from the request: logged only once a token proved it real.
    logger.info(
      {
        generation: outcome.kind === "refused" ? undefined : generation,
        outcome: outcome.kind,
        status: outcome.kind === "accepted" ? callbackTask(body).status.slice(0, 20) || undefined : undefined,
        recheck: outcome.kind === "accepted" ? !!outcome.recheck : undefined,
        durationMs: Math.round(performance.now() - started),
      },
      "MiniMax callback",
    );
    switch (outcome.kind) {
      case "refused":
        ctx.throw(403, "Forbidden");
        break;
      case "challenge":
        ctx.body = { challenge: outcome.challenge };
        break;
      case "accepted":
        // Answered once the recheck is claimed (not done): a database out of reach is a 503 then,
        // as when the callback is read, so a sender that retries tries again later.
        if (outcome.recheck) await onRecheck(outcome.recheck);
        ctx.body = { ok: true };
        break;
    }
  });
  return router;
}
