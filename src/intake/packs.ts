import type { CreateResult } from "../generations/create.js";
import { groupOnce, requestKey } from "../generations/groups.js";
import { PACK_MOVES, cameraKey } from "../minimax/camera.js";
import { createRequest, type AdmissionDeps, type Announcer, type Request } from "./requests.js";
import { announceGroup, refusalReason } from "./announce.js";

/** What a pack is made of: one request's photo, description and settings, and the message that asked for it. */
export type PackSource = Omit<Request, "sourceMessageId" | "replyToMessageId" | "groupId" | "packIndex" | "move"> & {
  /** The photo, or the video whose button was pressed: it keys the pack, and the pack answers it. */
  messageId: number;
};

export type PackOutcome = "started" | "duplicate" | "refused";

/**
 * A variant pack: three jobs of the same photo and description, each with its own camera move
 * (PACK_MOVES), delivered together as one album once all three are done (deliver-pack.ts). Each is
 * an ordinary job with its own price and reservation, queued within MINIMAX_RPM like any other.
 * The pack and its jobs are keyed by the asking message, so a double press, a redelivery or two
 * instances make one pack. Admitted as far as the balance and MAX_ACTIVE_PER_USER go, in order;
 * the status message names what was not started, for which nothing was taken.
 */
export async function startPack(deps: AdmissionDeps, source: PackSource, announcer: Announcer): Promise<PackOutcome> {
  const { messageId, ...request } = source;
  const { group } = await groupOnce(deps.models, `pack:${source.chatId}:${messageId}`, {
    kind: "pack",
    chat_id: source.chatId,
    user_id: source.userId,
    locale: announcer.locale,
    moves: [...PACK_MOVES],
    reply_to_message_id: messageId,
  });
  const results: CreateResult[] = [];
  let refusal: Extract<CreateResult, { kind: "limit" | "credits" }> | undefined;
  for (const [index, move] of PACK_MOVES.entries()) {
    const result = await createRequest(
      deps,
      { ...request, sourceMessageId: requestKey(messageId, index + 1), replyToMessageId: messageId, groupId: group._id, packIndex: index, move },
      announcer.locale,
    );
    if (result.kind === "limit" || result.kind === "credits") {
      refusal = result;
      break;
    }
    results.push(result);
  }
  await deps.models.Group.updateOne({ _id: group._id, done_at: { $exists: false } }, { $set: { done_at: new Date() } });
  const { t, locale } = announcer;
  const skipped = PACK_MOVES.slice(results.length);
  const notStarted = refusal && {
    count: skipped.length,
    moves: skipped.map((m) => t(locale, cameraKey(m))).join(", "),
    ...refusalReason(refusal),
  };
  await announceGroup(deps, group, results, announcer, messageId, {
    notStarted: notStarted && results.length ? t(locale, "pack-not-started", notStarted) : undefined,
    refused: notStarted ? t(locale, "pack-none-started", notStarted) : "",
  });
  if (results.some((r) => r.kind === "created")) return "started";
  return refusal && results.length === 0 ? "refused" : "duplicate";
}
