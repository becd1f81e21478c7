/** What every bench section shares: the database, the app as a child process, its memory, statistics. */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { startEmbeddedDatabase } from "../src/db/embedded/index.js";
import { eventually } from "../test/support/app.js";
import type { FakeTelegram } from "../test/support/fake-telegram.js";

export const ROOT = resolve(import.meta.dirname, "..");
export const MB = 1024 * 1024;

/** A positive number from the environment, else `fallback`. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!(n > 0)) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
}

export interface BenchDatabase {
  uri: string;
  engine: string;
  stop: () => Promise<void>;
}

/** MONGODB_BENCH_URI, else MONGODB_TEST_URI, else the embedded database the tests use. */
export async function benchDatabase(): Promise<BenchDatabase> {
  const given = process.env.MONGODB_BENCH_URI ?? process.env.MONGODB_TEST_URI;
  if (given) return { uri: given, engine: `given by URI (${new URL(given).host})`, stop: async () => {} };
  let engine = "embedded";
  const log = (obj: Record<string, unknown>, msg: string) => {
    if (typeof obj.engine === "string") engine = `embedded ${obj.engine}`;
    console.error(`[bench database] ${msg} ${JSON.stringify(obj)}`);
  };
  const db = await startEmbeddedDatabase({ dataDir: undefined, logger: { info: log, warn: log } });
  return { uri: db.uri, engine, stop: db.stop };
}

/** What the server says it is: FerretDB reports itself in buildInfo. */
export async function describeEngine(uri: string, fallback: string): Promise<string> {
  const { default: mongoose } = await import("mongoose");
  const conn = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5_000 }).asPromise();
  try {
    const info = (await conn.db!.admin().command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
    if (info.ferretdbVersion !== undefined) return `FerretDB ${info.ferretdbVersion === "unknown" ? "(version not stamped in the build)" : info.ferretdbVersion}, answering as MongoDB ${info.version}`;
    return `MongoDB ${info.version ?? "?"}`;
  } catch {
    return fallback;
  } finally {
    await conn.close();
  }
}

/** A database of its own for one section, on the bench's server. */
export const databaseFor = (uri: string, name: string) => `${uri.replace(/\/?$/, "/")}bench_${name}_${randomBytes(3).toString("hex")}`;

/** Current resident memory and its peak since the last `resetPeak`, in MB (Linux /proc). */
export function memoryOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { peakMb: kb("VmHWM"), rssMb: kb("VmRSS") };
}

/** Bytes a process has read and written through system calls, sockets included (Linux /proc). */
export function ioOf(pid: number) {
  const io = readFileSync(`/proc/${pid}/io`, "utf8");
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(io)?.[1] ?? 0);
  return { read: field("rchar"), written: field("wchar") };
}

/** CPU seconds a process has used so far, user plus system (Linux /proc, 100 ticks a second). */
export function cpuSecondsOf(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime: fields 14 and 15 of the line
}

/** Resets the kernel's peak-RSS mark (VmHWM) of a process we own, so a peak belongs to one step. */
export function resetPeak(pid: number) {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

const startScript = () => (JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.start!.split(/\s+/);

/**
 * The node flags production runs with (those of `npm start` in package.json), then any from
 * BENCH_APP_NODE_OPTIONS (e.g. "--max-semi-space-size=8", to compare).
 */
export function appNodeFlags(): string[] {
  const production = startScript().filter((word) => word.startsWith("--"));
  return [...production, ...(process.env.BENCH_APP_NODE_OPTIONS ?? "").split(/\s+/).filter(Boolean)];
}

/** The variables `npm start` sets before node (MALLOC_ARENA_MAX=2 …); the bench's own environment wins. */
export function appStartEnv(): Record<string, string> {
  const words = startScript();
  const assignments = words.slice(0, words.indexOf("node")).map((word) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(word)).filter((m) => m !== null);
  return Object.fromEntries(assignments.filter(([, name]) => process.env[name!] === undefined).map(([, name, value]) => [name!, value!]));
}

/**
 * The real entry point as its own process, as in production (through tsx, so no build step).
 * Resolves once it has registered its webhook (/healthz answers earlier, while Telegram is asked).
 */
export async function startAppProcess(env: Record<string, string>, telegram: FakeTelegram, imports: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...appNodeFlags(), "--import", "tsx", ...imports.flatMap((i) => ["--import", i]), "src/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...appStartEnv(), ...env, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const exited = new Promise((_, reject) => child.once("exit", (code) => reject(new Error(`the app exited with ${code}`))));
  await Promise.race([
    eventually(() => telegram.calls.some((c) => c.method === "setWebhook" && !c.error), 60_000, "the app's webhook"),
    exited,
  ]);
  return child;
}

export async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const round = (n: number, digits = 2) => Number.isFinite(n) ? +n.toFixed(digits) : n;

export function machine() {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpu: cpu[0]?.model.trim() ?? "unknown",
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
