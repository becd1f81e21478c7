import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Transformer } from "grammy";
import { PHASES, type Models } from "./db/models.js";
import type { Leases } from "./generations/leases.js";
import type { RequestLabel } from "./minimax/types.js";
import type { TemplateLibrary } from "./templates/library.js";

/** Admission holds a new generation back with this next_run_at (see generations/create.ts). */
const HELD = new Date(8.64e15);

/**
 * Prometheus metrics of one app instance, in a registry of its own (tests run several instances in
 * one process). Counters and histograms count this instance's own work; Prometheus sums them over
 * instances. Gauges about the shared state (generations by phase, the queue) are read from MongoDB
 * at scrape time, so every instance reports the same, true numbers.
 */
export function createMetrics(deps: { models: Models; templates?: TemplateLibrary }) {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  const { Generation } = deps.models;

  new Gauge({
    name: "astrolus_generations",
    help: "Generations in MongoDB by phase (all instances)",
    labelNames: ["phase"] as const,
    registers,
    async collect() {
      try {
        const counts = await Promise.all(PHASES.map((phase) => Generation.countDocuments({ phase })));
        PHASES.forEach((phase, i) => this.set({ phase }, counts[i]!));
      } catch {
        this.reset(); // no number rather than a stale one while MongoDB is away
      }
    },
  });
  new Gauge({
    name: "astrolus_queue_depth",
    help: "Generations waiting for a MiniMax submission slot (all instances)",
    registers,
    async collect() {
      try {
        this.set(await Generation.countDocuments({ phase: { $in: ["queued", "submitting"] }, next_run_at: { $lt: HELD }, create_sent_at: null }));
      } catch {
        this.reset();
      }
    },
  });

  const transitions = new Counter({
    name: "astrolus_generation_transitions_total",
    help: "Phase changes made by this instance, by the new phase and its outcome",
    labelNames: ["phase", "outcome"] as const,
    registers,
  });
  const minimaxRequests = new Histogram({
    name: "astrolus_minimax_request_duration_seconds",
    help: "MiniMax API requests by API (v1, v2), model, endpoint and MiniMax's status code (0 = success; http_NNN, transport otherwise)",
    labelNames: ["api", "model", "endpoint", "code"] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers,
  });
  const rateSlotWait = new Histogram({
    name: "astrolus_rate_slot_wait_seconds",
    help: "Time a claimed generation waited for a MiniMax rate slot (MINIMAX_RPM)",
    buckets: [0.1, 1, 5, 15, 30, 60, 120, 300, 600],
    registers,
  });
  const successToSent = new Histogram({
    name: "astrolus_success_to_delivery_seconds",
    help: "Time from MiniMax reporting success to the video (upload) or its link (link) in the chat",
    labelNames: ["via"] as const,
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 900],
    registers,
  });
  const bytesRelayed = new Counter({
    name: "astrolus_video_bytes_relayed_total",
    help: "Bytes of videos streamed from MiniMax into Telegram uploads that were delivered",
    registers,
  });
  const starsReconciled = new Counter({
    name: "astrolus_stars_reconciled_total",
    help: "Stars payments (kind=payment) and refunds (kind=refund) the reconciliation had to settle because their update was lost",
    labelNames: ["kind"] as const,
    registers,
  });
  const generations = new Counter({
    name: "astrolus_generations_total",
    help: "Jobs this instance admitted, by the template they were made with (none: a description of the seller's own)",
    labelNames: ["template"] as const,
    registers,
  });
  const knownTemplates = new Set(deps.templates?.templates.map((t) => t.id));
  const telegramErrors = new Counter({
    name: "astrolus_telegram_api_errors_total",
    help: "Telegram Bot API calls that failed, by method and error_code (network: no answer); after automatic retries",
    labelNames: ["method", "code"] as const,
    registers,
  });

  return {
    registry,
    /** A job admitted here; the label is bounded by the library (an id it no longer has counts as none). */
    generationCreated(template: string | undefined) {
      generations.inc({ template: template && knownTemplates.has(template) ? template : "none" });
    },
    /** For the MiniMax client: one observation per API request. */
    starsReconciled(kind: string) {
      starsReconciled.inc({ kind });
    },
    minimaxRequest(label: RequestLabel, code: string, seconds: number) {
      minimaxRequests.observe({ ...label, code }, seconds);
    },
    rateSlotWaited(ms: number) {
      rateSlotWait.observe(ms / 1000);
    },
    delivered(via: "upload" | "link", sinceSuccessMs: number, bytes?: number) {
      successToSent.observe({ via }, Math.max(0, sinceSuccessMs) / 1000);
      if (via === "upload" && bytes) bytesRelayed.inc(bytes);
    },
    /** A grammY API transformer counting failed calls. */
    telegramTransformer(): Transformer {
      return async (prev, method, payload, signal) => {
        try {
          const res = await prev(method, payload, signal);
          if (!res.ok) telegramErrors.inc({ method, code: String(res.error_code) });
          return res;
        } catch (err) {
          telegramErrors.inc({ method, code: "network" });
          throw err;
        }
      };
    },
    /** Wraps the worker's leases so every phase change it writes is counted once it has landed. */
    observeTransitions(leases: Leases): Leases {
      return {
        ...leases,
        async finish(held, set, unset) {
          const ours = await leases.finish(held, set, unset);
          if (ours && typeof set.phase === "string") transitions.inc({ phase: set.phase, outcome: outcomeOf(set) });
          return ours;
        },
        async updateAndGet(held, set) {
          const written = await leases.updateAndGet(held, set);
          if (written && typeof set.phase === "string") transitions.inc({ phase: set.phase, outcome: outcomeOf(set) });
          return written;
        },
      };
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

function outcomeOf(set: Record<string, unknown>): string {
  if (typeof set.error_code === "string") return set.error_code;
  switch (set.phase) {
    case "delivered":
      return set.telegram_video_file_id ? "video" : "link";
    case "queued":
      return "requeued";
    default:
      return "ok";
  }
}
