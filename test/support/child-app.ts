/**
 * Runs the real entry point (src/main.ts, through tsx) as a child process, so tests can do what an
 * operator or a crash does to a deployment: SIGKILL it mid-step, SIGTERM it, start it again with
 * the same environment. Log lines (pino JSON on stdout, anything on stderr) are kept in memory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { testEnv, type TestAppOptions } from "./app.js";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Short timings so leases expire and sweeps run within a test's patience. */
export const CHILD_TIMINGS = {
  LEASE_MS: "1500",
  SWEEP_INTERVAL_MS: "100",
  MINIMAX_POLL_INTERVAL_MS: "300",
} as const;

export interface LogLine {
  /** Which start of the process wrote it: 0 for the first, 1 after one restart, … */
  run: number;
  stream: "stdout" | "stderr";
  /** The line as written. */
  text: string;
  /** The parsed pino entry, when the line was JSON. */
  entry?: Record<string, unknown>;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** When the process was seen to exit (ms since epoch). */
  at: number;
}

export type LogMatcher = RegExp | ((entry: Record<string, unknown>, line: LogLine) => boolean);

export interface ChildApp {
  /** The environment every run gets (same PORT and, in webhook mode, the same PUBLIC_URL). */
  readonly env: Readonly<Record<string, string>>;
  /** Every line of every run, in order. */
  readonly lines: LogLine[];
  /** The number of the current run (0 for the first start). */
  readonly run: number;
  readonly pid: number;
  /** Settles when the current process has exited and its output is fully read. */
  readonly exited: Promise<Exit>;
  /** True while the current process has not exited. */
  readonly alive: boolean;
  /** `http://127.0.0.1:<PORT>` */
  readonly url: string;
  /**
   * Resolves with the first line of the current run matching `match` (a RegExp tests the pino
   * `msg`, or the raw text for a non-JSON line; a function gets the parsed entry). Lines written
   * before the call count. Rejects when the process exits first or after `timeoutMs`.
   */
  waitForLog(match: LogMatcher, timeoutMs?: number): Promise<LogLine>;
  /** Lines of the current run (or of `run`) whose pino `msg` matches. */
  logsMatching(match: LogMatcher, run?: number): LogLine[];
  /** Sends a signal to the current process (no-op once it exited). */
  kill(signal: NodeJS.Signals): void;
  /** Waits for the current process to exit, then starts a new one with the same env and waits until it runs. */
  restart(): Promise<void>;
  /** SIGKILLs the current process if it still runs and waits for it to be gone. */
  dispose(): Promise<void>;
}

const live = new Set<ChildProcess>();

/**
 * SIGKILLs the child and whatever it started: a child runs in a process group of its own, so an
 * app that `npm start` (npm, then sh) started cannot outlive it and hold the output pipes open.
 */
function killGroup(child: ChildProcess) {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}
// Last resort: whatever happens to the test process, it leaves no orphaned app behind.
process.once("exit", () => {
  for (const child of live) killGroup(child);
});

/** SIGKILLs every child still running (afterEach / afterAll safety net). */
export async function killAllChildren(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            killGroup(child); // what it started may still run
            live.delete(child);
            return resolve();
          }
          child.once("close", () => resolve());
          killGroup(child);
        }),
    ),
  );
}

function matches(match: LogMatcher, line: LogLine): boolean {
  if (typeof match === "function") return line.entry !== undefined && match(line.entry, line);
  const msg = line.entry && typeof line.entry.msg === "string" ? line.entry.msg : line.entry ? undefined : line.text;
  return msg !== undefined && match.test(msg);
}

export interface ChildAppOptions extends TestAppOptions {
  /** How long to wait for "Astrolus is running" on each start. Default 20 s. */
  startTimeoutMs?: number;
  /**
   * What to run instead of `node --import tsx src/main.ts` in the checkout: the shipped artifact
   * (`node dist/main.js` in an image's folder, `npm start` in a clone). `env` comes before the
   * test's own, so an image's ENV lines are overridden only where the test must point at its fakes.
   */
  command?: { file: string; args: string[]; cwd: string; env?: Record<string, string> };
}

/**
 * Starts `node --import tsx src/main.ts` (or `opts.command`) with the environment `testEnv()` builds
 * (plus the short CHILD_TIMINGS and `opts.env`), and waits until it logs "Astrolus is running".
 */
export async function startChildApp(opts: ChildAppOptions): Promise<ChildApp> {
  const env = await testEnv({ ...opts, env: { ...CHILD_TIMINGS, ...opts.env } });
  const startTimeoutMs = opts.startTimeoutMs ?? 20_000;
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let run = -1;
  let child!: ChildProcess;
  let exited!: Promise<Exit>;
  let exit: Exit | undefined;

  const notify = () => {
    for (const w of [...waiters]) w();
  };

  function spawnOnce() {
    run += 1;
    const thisRun = run;
    exit = undefined;
    const command = opts.command ?? { file: process.execPath, args: ["--import", "tsx", "src/main.ts"], cwd: REPO_ROOT };
    child = spawn(command.file, command.args, {
      cwd: command.cwd,
      // Only what the app needs: the test's own environment (CI variables, a developer's
      // MONGODB_URI, …) must not leak into the app under test.
      env: { PATH: process.env.PATH ?? "", ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}), ...command.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    live.add(child);
    const proc = child;
    let readersOpen = 2;
    const closedReaders = new Promise<void>((resolve) => {
      for (const stream of ["stdout", "stderr"] as const) {
        const rl = createInterface({ input: proc[stream]! });
        rl.on("line", (text) => {
          let entry: Record<string, unknown> | undefined;
          try {
            const parsed: unknown = JSON.parse(text);
            if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) entry = parsed as Record<string, unknown>;
          } catch {
            entry = undefined;
          }
          lines.push({ run: thisRun, stream, text, entry });
          notify();
        });
        rl.on("close", () => {
          if (--readersOpen === 0) resolve();
        });
      }
    });
    const exitEvent = new Promise<Exit>((resolve) => {
      proc.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() }));
      proc.once("error", () => resolve({ code: null, signal: null, at: Date.now() }));
    });
    exited = Promise.all([exitEvent, closedReaders]).then(([e]) => {
      live.delete(proc);
      if (thisRun === run) exit = e;
      notify();
      return e;
    });
  }

  function currentLines(r = run) {
    return lines.filter((l) => l.run === r);
  }

  function describeRun() {
    return currentLines()
      .slice(-25)
      .map((l) => l.text)
      .join("\n");
  }

  function waitForLog(match: LogMatcher, timeoutMs = 10_000): Promise<LogLine> {
    const thisRun = run;
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = currentLines(thisRun).find((l) => matches(match, l));
        if (found) return done(() => resolve(found));
        if (exit || thisRun !== run) {
          return done(() => reject(new Error(`app exited (${JSON.stringify(exit)}) before logging ${String(match)}; last lines:\n${describeRun()}`)));
        }
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for log ${String(match)}; last lines:\n${describeRun()}`))),
        timeoutMs,
      );
      const done = (fn: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        fn();
      };
      waiters.add(check);
      check();
    });
  }

  async function started() {
    try {
      await waitForLog(/^Astrolus is running$/, startTimeoutMs);
    } catch (err) {
      killGroup(child);
      await exited;
      throw err;
    }
  }

  spawnOnce();
  await started();

  return {
    env,
    lines,
    get run() {
      return run;
    },
    get pid() {
      return child.pid ?? -1;
    },
    get exited() {
      return exited;
    },
    get alive() {
      return exit === undefined;
    },
    url: `http://127.0.0.1:${env.PORT}`,
    waitForLog,
    logsMatching: (match, r = run) => currentLines(r).filter((l) => matches(match, l)),
    kill(signal) {
      if (!exit) child.kill(signal);
    },
    async restart() {
      await exited;
      spawnOnce();
      await started();
    },
    async dispose() {
      if (!exit) killGroup(child);
      await exited;
    },
  };
}
