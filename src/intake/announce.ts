import type { CreateResult } from "../generations/create.js";
import type { AdmissionRefusal } from "../generations/admission.js";
import { claimOnce } from "../generations/claims.js";
import { groupStatusId, renderGroupProgress } from "../generations/progress.js";
import { laneOf, queueFigures } from "../generations/lanes.js";
import type { GroupDoc } from "../generations/groups.js";
import type { GenerationFields } from "../db/models.js";
import { sendStatusMessage, type AdmissionDeps, type Announcer } from "./requests.js";

/** The variables of a refusal's reason, for the group texts that explain it. */
export const refusalReason = (refusal: AdmissionRefusal) =>
  refusal.kind === "credits" ? { reason: "credits", price: refusal.price, balance: refusal.balance, max: 0 } : { reason: "limit", price: 0, balance: 0, max: refusal.max };

/**
 * Answers a group of requests admitted together (an album's photos, a pack's variants) once, with
 * one status message: the group's progress, the price reserved, and `notStarted` (what was refused,
 * said in the group's own words). When nothing was admitted, `refused` answers instead. Whoever
 * takes the group's status key sends the status message, so a redelivery or a second instance adds none.
 */
export async function announceGroup(
  deps: AdmissionDeps,
  group: GroupDoc,
  results: CreateResult[],
  announcer: Announcer,
  replyTo: number,
  texts: { notStarted?: string; refused: string },
) {
  const created = results.flatMap((r) => (r.kind === "created" ? [r] : []));
  try {
    const members = await deps.models.Generation.find({ group_id: group._id }).sort({ _id: 1 }).lean<Array<GenerationFields & { _id: unknown }>>();
    if (members.length === 0) {
      // Like a refused single request, a refusal is answered each time it is asked (nothing was kept).
      if (texts.refused) {
        await announcer.api.sendMessage(group.chat_id, texts.refused, { parse_mode: "HTML", reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } });
      }
      return;
    }
    if (!(await claimOnce(deps.models, `group-status:${group._id}`))) return;
    const places = new Map(created.map((r) => [r.shortId, r.position]));
    const queueOf = (gen: { short_id: string; model: string }) => queueFigures(deps.config, laneOf(gen.model), places.get(gen.short_id) ?? 1);
    const view = renderGroupProgress(announcer.t, group, members, queueOf);
    const last = created.at(-1);
    const price = last
      ? [announcer.t(announcer.locale, "group-price", { count: members.length, total: members.reduce((sum, g) => sum + (g.price ?? 0), 0), balance: last.balance })]
      : [];
    await sendStatusMessage(deps, announcer, { chatId: group.chat_id, replyTo, id: groupStatusId(group._id) }, view, [...price, ...(texts.notStarted ? [texts.notStarted] : [])]);
    deps.logger.info({ group: group._id, kind: group.kind, ...announcer.origin, jobs: members.map((g) => g.short_id) }, "group queued");
  } finally {
    for (const r of created) deps.onQueued(r.id, r.model);
  }
}
