import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { Models } from "../../src/db/models.js";
import { startFakes, startTestApp, type TestApp, type TestAppOptions } from "./app.js";
import { killAllChildren, type ChildApp } from "./child-app.js";
import type { MongoProxy } from "./mongo-proxy.js";
import { openDatabaseView, testDatabaseUri } from "./mongo.js";
import type { FakeTelegram } from "./fake-telegram.js";
import type { FakeMiniMax } from "./fake-minimax.js";

export interface Suite {
  tg: FakeTelegram;
  mm: FakeMiniMax;
  app: TestApp;
}

type AppsOptions = Pick<TestAppOptions, "mode" | "env"> & { fakes?: Parameters<typeof startFakes>[0] };

/**
 * The fakes and `count` apps on one database of their own (named after `label`), started before
 * the tests of the enclosing describe block (or file) and stopped after them.
 */
function useApps(label: string, opts: AppsOptions, count: number) {
  const world = { apps: [] as TestApp[] } as { tg: FakeTelegram; mm: FakeMiniMax; apps: TestApp[] };
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const fakes = await startFakes(opts.fakes);
    close = fakes.close;
    world.tg = fakes.telegram;
    world.mm = fakes.minimax;
    const mongoUri = testDatabaseUri(label); // a fresh database each call: one for all the apps
    for (let i = 0; i < count; i++) world.apps.push(await startTestApp({ mode: opts.mode, telegram: world.tg, minimax: world.mm, mongoUri, env: opts.env }));
  });
  afterAll(async () => {
    // DUMP_LOGS=<file>: the apps' logs, for reading a failure after the run.
    if (process.env.DUMP_LOGS) (await import("node:fs")).appendFileSync(process.env.DUMP_LOGS, world.apps.flatMap((a) => a.logs).join(""));
    for (const app of world.apps) await app.stop();
    await close?.();
  });
  return world;
}

/** The fakes and one app on a database of its own. Fields are set once started. */
export function useTestApp(label: string, opts: AppsOptions): Suite {
  const world = useApps(label, opts, 1);
  return {
    get tg() {
      return world.tg;
    },
    get mm() {
      return world.mm;
    },
    get app() {
      return world.apps[0]!;
    },
  };
}

export interface TwoInstances {
  tg: FakeTelegram;
  mm: FakeMiniMax;
  a: TestApp;
  b: TestApp;
}

/** The fakes and two apps on one database: two instances of one deployment. Fields are set once started. */
export function useTwoTestApps(label: string, opts: AppsOptions): TwoInstances {
  const world = useApps(label, opts, 2);
  return {
    get tg() {
      return world.tg;
    },
    get mm() {
      return world.mm;
    },
    get a() {
      return world.apps[0]!;
    },
    get b() {
      return world.apps[1]!;
    },
  };
}

export interface ChildAppWorld {
  tg: FakeTelegram;
  mm: FakeMiniMax;
  /** A database of the test's own, for the child processes it starts. */
  mongoUri: string;
  /** The test's own view of that database: phases and leases as the processes leave them. */
  models: Models;
}

/**
 * For tests that run the app as child processes (crashes, restarts): fresh fakes and a fresh
 * database for each test, and every child killed after it. Fields are set before each test.
 */
export function useChildAppWorld(label: string): ChildAppWorld {
  const world = {} as ChildAppWorld;
  let closeFakes: (() => Promise<void>) | undefined;
  let view: Awaited<ReturnType<typeof openDatabaseView>> | undefined;
  beforeEach(async () => {
    const fakes = await startFakes();
    closeFakes = fakes.close;
    world.tg = fakes.telegram;
    world.mm = fakes.minimax;
    world.mongoUri = testDatabaseUri(label);
    view = await openDatabaseView(world.mongoUri);
    world.models = view.models;
  });
  afterEach(async () => {
    // Children first: a live app talking to closed fakes would only add noise.
    await killAllChildren();
    await view?.close();
    await closeFakes?.();
  });
  afterAll(() => killAllChildren());
  return world;
}

/**
 * For a test that starts its own world (fakes, a Mongo proxy, apps, a child process, a database view):
 * whatever it put here is stopped after the block's tests, in an order that lets each part finish.
 */
export function useStartedByHand() {
  const world: {
    fakes?: Awaited<ReturnType<typeof startFakes>>;
    proxy?: MongoProxy;
    view?: Awaited<ReturnType<typeof openDatabaseView>>;
    apps: TestApp[];
    children: ChildApp[];
  } = { apps: [], children: [] };
  afterAll(async () => {
    world.proxy?.restore();
    for (const child of world.children) {
      child.kill("SIGCONT"); // a test may have stopped it
      child.kill("SIGKILL");
    }
    for (const app of world.apps) await app.stop();
    await world.view?.close();
    await world.proxy?.close();
    await world.fakes?.close();
  });
  return world;
}
