import type { IncomingMessage, RequestListener } from "node:http";
import { MINIMAX_CALLBACK_PATH } from "../paths.js";
import { keepReadBody } from "../early-body.js";
import type { Logger } from "../../logger.js";

/** A challenge is a few dozen bytes; a larger body goes the ordinary way. */
const SMALL_BODY = 1_024;

export type ChallengeAnswer = (params: { generation: string; token: string }, body: Record<string, unknown>) => string | undefined;

const isSmallJsonCallback = (req: IncomingMessage) => {
  const length = Number(req.headers["content-length"]);
  return (
    req.method === "POST" &&
    (req.url === MINIMAX_CALLBACK_PATH || req.url?.startsWith(`${MINIMAX_CALLBACK_PATH}?`)) &&
    /^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "") &&
    length > 0 &&
    length <= SMALL_BODY
  );
};

/**
 * MiniMax's challenge arrives while our create request waits and must come back within 3 s, however
 * busy the process is. So it is answered in front of Koa, with no routing, no body parser and no
 * database, when `answer` can tell it from the token alone. Every other request goes to `app`; a
 * small JSON body on the callback path read here is handed on, so it is not read twice.
 */
export function answerChallengesFirst(app: RequestListener, answer: ChallengeAnswer, logger: Logger): RequestListener {
  return (req, res) => {
    if (!isSmallJsonCallback(req)) return app(req, res);
    const started = performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("error", () => req.destroy());
    req.once("end", () => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        keepReadBody(req, undefined, true);
        return app(req, res);
      }
      const query = new URL(req.url!, "http://callback").searchParams;
      // Exactly one of each, as the route insists: a repeated parameter is not a way around the check.
      const only = (name: string) => (query.getAll(name).length === 1 ? query.get(name) : null);
      const generation = only("generation");
      const token = only("token");
      const body = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
      const challenge = body && generation && token ? answer({ generation, token }, body) : undefined;
      if (challenge === undefined) {
        keepReadBody(req, parsed);
        return app(req, res);
      }
      const out = JSON.stringify({ challenge });
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(out) }).end(out);
      // The same line as the route writes for every other callback; the token proved the id real.
      logger.info({ generation, outcome: "challenge", durationMs: Math.round(performance.now() - started) }, "MiniMax callback");
    });
  };
}
