/**
 * npm run bench: the figures tests must not time, each beside a reference measured in the same
 * run (the machine is shared and noisy, so only ratios compare across runs). The app runs as its
 * own process (node --import tsx src/main.ts) against the loopback fakes. Prints a table and
 * writes BENCHMARKS.md. Sizes come from BENCH_* variables (see README, "Benchmarks");
 * BENCH_ONLY=challenge,relay,roundtrips,burst,fit,studio runs a subset (BENCHMARKS.md is then not written).
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { benchDatabase, describeEngine, envNumber, machine, ROOT, round } from "./support.js";
import { challengeBench } from "./challenge.js";
import { relayBench, type RelayResult } from "./relay.js";
import { roundTripBench } from "./round-trips.js";
import { burstBench } from "./burst.js";
import { fitMemoryBench, fitTimeBench } from "./fit.js";
import { studioBench } from "./studio.js";

type Section = "challenge" | "relay" | "roundtrips" | "burst" | "fit" | "studio";
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim()).filter(Boolean);
const runs = (section: Section) => !only || only.includes(section);

interface Row {
  what: string;
  measured: string;
  reference: string;
  ratio: string;
  goal: string;
  met: string;
}
const rows: Row[] = [];
const details: string[] = [];
const verdict = (ok: boolean) => (ok ? "yes" : "NO");
let shown = 0;
/** Each section's rows as soon as they are measured, so a later failure loses nothing. */
const flush = () => {
  for (const r of rows.slice(shown)) console.error(`bench: ${r.what}: ${r.measured} | ${r.reference} | ${r.ratio}`);
  shown = rows.length;
};

const db = await benchDatabase();
const engine = await describeEngine(db.uri, db.engine);
const startedAt = new Date();
try {
  if (runs("challenge")) {
    console.error("bench: challenges…");
    const c = await challengeBench(db.uri);
    rows.push({
      what: `${c.challenges} concurrent MiniMax challenges at a live callback URL, p99`,
      measured: `${c.appP99Ms} ms`,
      reference: `${c.echoP99Ms} ms (bare node:http JSON echo)`,
      ratio: `${c.ratio}×`,
      goal: "≤ 1.5×",
      met: verdict(c.ratio <= 1.5),
    });
    details.push(`challenge p99 per round (median taken): app ${c.appRounds.join(", ")} ms; echo ${c.echoRounds.join(", ")} ms`);
  }
  flush();
  if (runs("relay")) {
    const rate = envNumber("BENCH_CDN_MB_PER_S", 15);
    const sizes = [envNumber("BENCH_RELAY_MB", 45), envNumber("BENCH_LARGE_MB", 200)];
    const results: RelayResult[] = [];
    for (const size of sizes) {
      console.error(`bench: relay of ${size} MB at ${rate} MB/s…`);
      results.push(await relayBench(db.uri, size, rate));
    }
    const small = results[0]!;
    rows.push({
      what: `${small.videoMb} MB video relayed from a CDN throttled to ${rate} MB/s`,
      measured: `${small.seconds} s`,
      reference: `${small.boundSeconds} s (size ÷ rate); the CDN alone: ${small.cdnAloneSeconds} s`,
      ratio: `${small.ratioToBound}× (${(small.seconds / small.cdnAloneSeconds).toFixed(2)}× the CDN alone)`,
      goal: "≤ 1.1×",
      met: verdict((small.ratioToBound ?? Infinity) <= 1.1),
    });
    for (const r of results) {
      rows.push({
        what: `peak RSS growth, ${r.videoMb} MB relay`,
        measured: `+${r.peakGrowthMb} MB`,
        reference: `${r.rssBeforeMb} MB RSS before`,
        ratio: "",
        goal: "≤ 24 MB",
        met: verdict(r.peakGrowthMb <= 24),
      });
    }
    rows.push({
      what: `download ahead of upload, max, inside the app (${sizes.join(" / ")} MB)`,
      measured: results.map((r) => `${r.maxHeldKb} KB`).join(" / "),
      reference: `end to end, loopback socket buffers included: ${results.map((r) => `${r.maxAheadKb} KB`).join(" / ")}`,
      ratio: "",
      goal: "a few hundred KB",
      met: "",
    });
    details.push(`relay: ${JSON.stringify(results)}`);
  }
  flush();
  if (runs("roundtrips")) {
    console.error("bench: MongoDB round trips…");
    const r = await roundTripBench(db.uri);
    rows.push({
      what: `MongoDB round trips per generation, photo to the status message's last edit (${r.generations} at once, callbacks on, ${r.timings} timings)`,
      measured: String(r.roundTripsPerGeneration),
      reference: `idle ${r.idleMessagesPerSecond}/s subtracted`,
      ratio: "",
      goal: "≤ 30",
      met: verdict(r.roundTripsPerGeneration <= 30),
    });
    details.push(
      `round trips per generation by command: ${JSON.stringify(r.byCommand)}; until the video was delivered: ${r.untilDeliveredPerGeneration} (all ${r.generations} delivered in ${r.runSeconds} s)`,
    );
  }
  flush();
  if (runs("burst")) {
    console.error("bench: burst…");
    const b = await burstBench(db.uri);
    rows.push({
      what: `${b.generations} generations whose MiniMax tasks finish at once: all delivered once`,
      measured: b.allDeliveredOnce ? "yes" : `NO (${b.duplicates} duplicated)`,
      reference: "",
      ratio: "",
      goal: "yes",
      met: verdict(b.allDeliveredOnce),
    });
    details.push(`burst: ${JSON.stringify(b)}`);
    rows.push({ what: "  generations per second", measured: String(b.generationsPerSecond), reference: `${b.seconds} s for all`, ratio: "", goal: "", met: "" });
    for (const p of ["p50", "p99"] as const) {
      const v = b[`${p}Ms`];
      rows.push({ what: `  ${p}, MiniMax success → video sent`, measured: `${v} ms`, reference: `${b.aloneMs} ms (one generation alone)`, ratio: `${(v / b.aloneMs).toFixed(1)}×`, goal: "", met: "" });
    }
  }
  flush();
  if (runs("fit")) {
    console.error("bench: fitting 12 MP photos…");
    const t = await fitTimeBench();
    rows.push({
      what: `fit a 12 MP photo (${t.photoMb} MB JPEG, 4000×3000) to 9:16`,
      measured: `${t.fitMs} ms`,
      reference: `${t.reencodeMs} ms (decode and re-encode unchanged)`,
      ratio: `${t.ratio}×`,
      goal: "≤ 1.5×",
      met: verdict(t.ratio <= 1.5),
    });
    details.push(`fit: rounds ${t.fitRounds.join(", ")} ms; re-encode ${t.reencodeRounds.join(", ")} ms (medians taken)`);
    const m = await fitMemoryBench(db.uri, "9:16");
    // The same ten photos sent as they are: what downloads, data URLs and requests cost without fitting.
    const plain = await fitMemoryBench(db.uri, "original");
    const signed = (mb: number) => `${mb >= 0 ? "+" : ""}${mb} MB`;
    rows.push({
      what: `peak RSS growth, the app fitting ${m.photos} such photos at once (photo to MiniMax)`,
      measured: signed(m.peakGrowthMb),
      reference: `${signed(plain.peakGrowthMb)} sending them unfitted; ${m.rssBeforeMb} MB RSS before`,
      ratio: "",
      goal: "≤ 150 MB",
      met: verdict(m.peakGrowthMb <= 150),
    });
    // The issue's goal is none left at all: held to that, with the unfitted run beside it to show
    // how much of what is left comes from downloading and sending photos rather than from fitting.
    rows.push({
      what: "  RSS left 30 s later, over the RSS before",
      measured: signed(m.leftAfter30sMb),
      reference: `${signed(plain.leftAfter30sMb)} sending them unfitted`,
      ratio: "",
      goal: "none left (≤ 5 MB)",
      met: verdict(m.leftAfter30sMb <= 5),
    });
    details.push(`fit memory: ${JSON.stringify(m)}; unfitted: ${JSON.stringify(plain)}`);
  }
  flush();
  if (runs("studio")) {
    console.error("bench: studio…");
    const st = await studioBench(db.uri);
    rows.push({
      what: `studio API: first gallery page (with its filters) of a ${st.videos}-video gallery, p99 (${st.requests} requests, ${st.concurrency} at a time)`,
      measured: `${st.galleryP99Ms} ms`,
      reference: `${st.healthzP99Ms} ms (/healthz, asked the same way); p50 ${st.galleryP50Ms} ms vs ${st.healthzP50Ms} ms`,
      ratio: `${st.ratio}×`,
      goal: "",
      met: "",
    });
    rows.push({ what: "  the whole gallery, page by page (infinite scroll)", measured: `${st.walk.ms} ms`, reference: `${st.walk.pages} pages, ${st.walk.videos} videos`, ratio: "", goal: "", met: "" });
    rows.push({ what: "studio page JavaScript, gzip", measured: `${round(st.jsGzipBytes / 1024, 1)} KB`, reference: `${round(st.jsBytes / 1024, 1)} KB minified; CSS ${round(st.cssGzipBytes / 1024, 1)} KB gzip`, ratio: "", goal: "tens of KB", met: verdict(st.jsGzipBytes < 100 * 1024) });
    rows.push(
      st.render
        ? { what: "studio: navigation to the first gallery render, headless Chromium", measured: `${st.render.coldMs} ms cold`, reference: `${st.render.warmMs} ms warm (median of ${st.render.loads - 1})`, ratio: "", goal: "", met: "" }
        : { what: "studio: navigation to the first gallery render", measured: "not measured (no Chromium: CHROME_PATH or PATH)", reference: "", ratio: "", goal: "", met: "" },
    );
    details.push(`studio: ${JSON.stringify(st)}`);
  }
} finally {
  await db.stop();
}

const m = machine();
const header = `Machine: ${m.cores} cores, ${m.cpu}, ${m.memoryGb} GB; Node ${m.node}; database ${engine}; ${startedAt.toISOString()}`;
console.log(header);
console.table(rows);
for (const d of details) console.log(d);

if (!only) {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const md = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (bench/run.ts). Every figure sits beside a reference measured in the same",
    "run on the same machine, so the ratios compare across runs even where the machine is shared.",
    "",
    `- Date: ${startedAt.toISOString()}`,
    `- Machine: ${m.cores} cores, ${m.cpu}, ${m.memoryGb} GB memory`,
    `- Node: ${m.node}`,
    `- Database: ${engine}`,
    "",
    "| what | measured | reference (same run) | ratio | goal | met |",
    "|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${[r.what, r.measured, r.reference, r.ratio, r.goal, r.met].map(cell).join(" | ")} |`),
    "",
    "Details:",
    "",
    ...details.map((d) => `- ${d}`),
    "",
  ].join("\n");
  writeFileSync(resolve(ROOT, "BENCHMARKS.md"), md);
  console.log("written to BENCHMARKS.md");
}
