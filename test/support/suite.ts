import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { Models } from "../../src/db/models.js";
import { startFakes, startTestApp, type TestApp, type TestAppOptions } from "./app.js";
import { killAllChildren } from "./child-app.js";
import { openDatabaseView, testDatabaseUri } from "./mongo.js";
import type { FakeTelegram } from "./fake-telegram.js";
import type { FakeMiniMax } from "./fake-minimax.js";

export interface Suite {
  tg: FakeTelegram;
  mm: FakeMiniMax;
  app: TestApp;
}

/**
 * The fakes and one app on a database of its own (named after `label`), started before the tests
 * of the enclosing describe block (or file) and stopped after them. Fields are set once started.
 */
export function useTestApp(
  label: string,
  opts: Pick<TestAppOptions, "mode" | "env"> & { fakes?: Parameters<typeof startFakes>[0] },
): Suite {
  const s = {} as Suite;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const fakes = await startFakes(opts.fakes);
    close = fakes.close;
    s.tg = fakes.telegram;
    s.mm = fakes.minimax;
    s.app = await startTestApp({ mode: opts.mode, telegram: s.tg, minimax: s.mm, mongoUri: testDatabaseUri(label), env: opts.env });
  });
  afterAll(async () => {
    await s.app?.stop();
    await close?.();
  });
  return s;
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
