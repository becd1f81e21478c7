/**
 * Loaded into the app process by the relay bench (node --import) when BENCH_MEMORY_PROBE names a
 * file: on the first SIGUSR2 it notes where memory stands, then samples it every 10 ms; on the
 * second it writes the peak growth of each part (RSS, V8 heap spaces, Buffers outside the heap)
 * to that file as JSON. It shows where a relay's memory goes without touching the app's code.
 */
import { writeFileSync } from "node:fs";
import { getHeapSpaceStatistics } from "node:v8";

const target = process.env.BENCH_MEMORY_PROBE;
if (target) {
  type Sample = Record<string, number>;
  const sample = (): Sample => {
    const m = process.memoryUsage();
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
    return { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, ...spaces };
  };
  let base: Sample | undefined;
  let peak: Sample = {};
  let timer: NodeJS.Timeout | undefined;
  process.on("SIGUSR2", () => {
    if (!base) {
      base = sample();
      peak = { ...base };
      timer = setInterval(() => {
        for (const [k, v] of Object.entries(sample())) peak[k] = Math.max(peak[k] ?? 0, v);
      }, 10);
      return;
    }
    clearInterval(timer);
    const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
    const growth = Object.fromEntries(Object.entries(peak).map(([k, v]) => [k, mb(v - (base![k] ?? 0))]));
    // What is still held now, by part: V8's uncollected garbage shows in its spaces, native memory in rss alone.
    const held = Object.fromEntries(Object.entries(sample()).map(([k, v]) => [k, mb(v - (base![k] ?? 0))]));
    writeFileSync(target, JSON.stringify({ baseMb: Object.fromEntries(Object.entries(base).map(([k, v]) => [k, mb(v)])), peakGrowthMb: growth, heldNowMb: held }));
    base = undefined;
  });
}
