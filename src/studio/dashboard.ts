import { ACTIVE_PHASES, type Models } from "../db/models.js";

export const DASHBOARD_DAYS = 30;
const DAY_MS = 86_400_000;
const TOP_FAILURES = 5;

type Row = { _id: string | null; n: number };
const of = (rows: Row[], id: string | null) => rows.find((r) => r._id === id)?.n ?? 0;

/**
 * The operator's dashboard: the last 30 UTC days. FerretDB 1.24 (the tests' database, and a
 * supported one) has no date operators ($dateToString, $dateTrunc, $subtract: "not implemented
 * yet"), fills in only the first accumulator of a $group, and filters a collection by reading it:
 * a query per day was 90 reads of the collection (36 s on 1,000 jobs). So each collection is read
 * once over the 30 days, through its (phase, completed_at) or (kind, at) index on MongoDB, with the
 * few fields a chart needs, and the days are added up here; the top failure reasons and the queue
 * are $group aggregations.
 */
export async function dashboard(models: Models, now = new Date()) {
  const started = Date.now();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const first = today - (DASHBOARD_DAYS - 1) * DAY_MS;
  const since = new Date(first);
  const dayOf = (at: Date) => Math.floor((at.getTime() - first) / DAY_MS);
  const series = () => new Array<number>(DASHBOARD_DAYS).fill(0);

  const [ended, movements, failures, queue] = await Promise.all([
    models.Generation.find({ phase: { $in: ["delivered", "failed"] }, completed_at: { $gte: since } }).select({ _id: 0, phase: 1, created_at: 1, completed_at: 1 }).lean(),
    models.Ledger.find({ kind: { $in: ["purchase", "refund", "capture"] }, at: { $gte: since } }).select({ _id: 0, kind: 1, at: 1, stars: 1, price: 1 }).lean(),
    models.Generation.aggregate<Row>([
      { $match: { phase: "failed", completed_at: { $gte: since } } },
      { $group: { _id: "$error_code", n: { $sum: 1 } } },
      { $sort: { n: -1, _id: 1 } },
      { $limit: TOP_FAILURES },
    ]),
    models.Generation.aggregate<Row>([{ $match: { phase: { $in: ACTIVE_PHASES } } }, { $group: { _id: "$phase", n: { $sum: 1 } } }]),
  ]);

  const [made, failed, starsReceived, starsRefunded, creditsSpent] = [series(), series(), series(), series(), series()];
  const seconds: number[] = [];
  for (const gen of ended) {
    const day = dayOf(gen.completed_at!);
    if (day < 0 || day >= DASHBOARD_DAYS) continue;
    if (gen.phase === "failed") failed[day]!++;
    else {
      made[day]!++;
      seconds.push((gen.completed_at!.getTime() - gen.created_at!.getTime()) / 1000);
    }
  }
  for (const entry of movements) {
    const day = dayOf(entry.at);
    if (day < 0 || day >= DASHBOARD_DAYS) continue;
    if (entry.kind === "purchase") starsReceived[day]! += entry.stars ?? 0;
    else if (entry.kind === "refund") starsRefunded[day]! += entry.stars ?? 0;
    else creditsSpent[day]! += entry.price ?? 0;
  }
  seconds.sort((a, b) => a - b);
  const middle = Math.floor(seconds.length / 2);
  const median = seconds.length === 0 ? null : seconds.length % 2 ? seconds[middle]! : (seconds[middle - 1]! + seconds[middle]!) / 2;

  return {
    days: Array.from({ length: DASHBOARD_DAYS }, (_, i) => new Date(first + i * DAY_MS).toISOString().slice(0, 10)),
    made,
    failed,
    starsReceived,
    starsRefunded,
    creditsSpent,
    failures: failures.map((f) => ({ reason: f._id ?? "?", count: f.n })),
    medianSeconds: median === null ? null : Math.round(median),
    queue: Object.fromEntries(ACTIVE_PHASES.map((phase) => [phase, of(queue, phase)])),
    tookMs: Date.now() - started,
  };
}
export type Dashboard = Awaited<ReturnType<typeof dashboard>>;
