/**
 * The shipped artifact, made the way a user makes it: a clean copy of the checkout (what a clone
 * holds), and the Docker image's stages carried out as the Dockerfile says, read from the Dockerfile
 * itself so the test and the image cannot drift apart. No Docker daemon is needed: each stage is a
 * folder standing for its /app, filled by its COPY lines and its RUN lines' npm commands.
 */
import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { REPO_ROOT } from "./child-app.js";

/** The files a clone of this checkout holds (tracked and not ignored), as they are in the working tree. */
export function cleanCopy(dest: string) {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
  for (const file of files) {
    const from = join(REPO_ROOT, file);
    if (!existsSync(from)) continue; // deleted in the working tree, not yet committed
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    cpSync(from, join(dest, file));
  }
  return dest;
}

/** npm, as the user runs it: the one beside the node running the tests when npm started them, else PATH's. */
export function npmCommand(): { file: string; args: string[] } {
  const cli = process.env.npm_execpath;
  return cli && cli.endsWith(".js") ? { file: process.execPath, args: [cli] } : { file: "npm", args: [] };
}

/** Runs npm with `args` in `cwd`, offline-first (the registry may be out of reach), failing with its output. */
export async function runNpm(args: string[], cwd: string, env: Record<string, string> = {}) {
  const npm = npmCommand();
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(npm.file, [...npm.args, ...args], {
      cwd,
      env: { ...process.env, ...env, npm_config_prefer_offline: "true", npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (d: Buffer) => output.push(d.toString()));
    child.stderr.on("data", (d: Buffer) => output.push(d.toString()));
    child.once("close", resolve);
  });
  if (code !== 0) throw new Error(`npm ${args.join(" ")} in ${cwd} exited ${code}:\n${output.join("").slice(-4000)}`);
  return output.join("");
}

export interface Stage {
  name: string;
  from: string;
  workdir: string;
  env: Record<string, string>;
  copies: Array<{ from?: string; sources: string[]; dest: string }>;
  runs: string[];
  cmd?: string[];
}

/** The Dockerfile's stages, its continuation lines joined and comments dropped. */
export function readDockerfile(text = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8")): Stage[] {
  const lines = text
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [instruction, ...rest] = line.split(/\s+/);
    const args = line.slice(instruction!.length).trim();
    const stage = stages.at(-1);
    switch (instruction!.toUpperCase()) {
      case "FROM": {
        const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
        stages.push({ name: m[2] ?? String(stages.length), from: m[1]!, workdir: "/", env: {}, copies: [], runs: [] });
        break;
      }
      case "WORKDIR":
        stage!.workdir = posix.resolve(stage!.workdir, args);
        break;
      case "ENV":
        for (const [, key, value] of args.matchAll(/(\w+)=("[^"]*"|\S*)/g)) stage!.env[key!] = value!.replace(/^"|"$/g, "");
        break;
      case "COPY": {
        const from = /--from=(\S+)/.exec(args)?.[1];
        const paths = rest.filter((p) => !p.startsWith("--"));
        stage!.copies.push({ from, sources: paths.slice(0, -1), dest: paths.at(-1)! });
        break;
      }
      case "RUN":
        stage!.runs.push(args);
        break;
      case "CMD":
        stage!.cmd = JSON.parse(args) as string[];
        break;
      default: // EXPOSE, USER, HEALTHCHECK, ARG: nothing to do outside a container
    }
  }
  return stages;
}

/**
 * Carries out the Dockerfile's stages in folders under `root` (one per stage, standing for its
 * WORKDIR), with `context` as the build context. Of the RUN lines, npm commands run as written and
 * `mkdir -p` makes its folder; `chown` and `npm cache clean` only tidy an image; anything else is
 * refused, so a new RUN line must be taught here before it ships. Returns the last stage and its folder.
 */
export async function buildStages(context: string, root: string) {
  const stages = readDockerfile();
  const dirs = new Map<string, string>();
  const inStage = (stage: Stage, dir: string, path: string) => join(dir, posix.relative(stage.workdir, posix.resolve(stage.workdir, path)));
  for (const stage of stages) {
    if (stage.workdir === "/") throw new Error(`stage ${stage.name} has no WORKDIR`);
    const dir = join(root, stage.name);
    mkdirSync(dir, { recursive: true });
    dirs.set(stage.name, dir);
    for (const copy of stage.copies) {
      const source = copy.from ? stages.find((s) => s.name === copy.from) : undefined;
      if (copy.from && !source) throw new Error(`COPY --from=${copy.from}: no such stage`);
      for (const path of copy.sources) {
        const from = source ? inStage(source, dirs.get(source.name)!, path) : join(context, path);
        if (!existsSync(from)) throw new Error(`stage ${stage.name}: COPY ${path}: not found`);
        const to = inStage(stage, dir, copy.dest);
        // Docker copies a folder's contents to the destination, and a file into a destination ending in "/".
        const intoFolder = copy.dest.endsWith("/") && !statSync(from).isDirectory();
        cpSync(from, intoFolder ? join(to, posix.basename(path)) : to, { recursive: true });
      }
    }
    for (const run of stage.runs) {
      for (const command of run.split("&&").map((c) => c.trim())) {
        const words = command.split(/\s+/);
        if (words[0] === "npm" && words[1] === "cache") continue;
        if (words[0] === "chown") continue;
        if (words[0] === "npm") await runNpm(words.slice(1), dir, stage.env);
        else if (words[0] === "mkdir" && words[1] === "-p") for (const path of words.slice(2)) mkdirSync(inStage(stage, dir, path), { recursive: true });
        else throw new Error(`stage ${stage.name}: this test does not know how to run "${command}"`);
      }
    }
  }
  const runtime = stages.at(-1)!;
  return { stage: runtime, dir: dirs.get(runtime.name)! };
}

/**
 * A free loopback port below the kernel's ephemeral range. An artifact binds its port only after
 * its build (tens of seconds for npm start): a port the kernel handed out could be handed to another
 * test's connection meanwhile, one outside its range cannot.
 */
export async function portOutsideEphemeralRange(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}
