import { describe, expect, it } from "vitest";
import { watchDatabase } from "../../src/db/health.js";
import { isStorageUnavailable, isWriteLockBusy } from "../../src/db/errors.js";
import { createLogger } from "../../src/logger.js";
import { eventually } from "../support/app.js";

function recorder() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: "debug", secrets: [], sink: { write: (line) => void lines.push(JSON.parse(line)) } });
  return { logger, msgs: () => lines.map((l) => String(l.msg)) };
}

/** A database whose ping, probe and reopen the test controls. */
function fakeDb(state: { ours: boolean; server: boolean; healsOnReopen: boolean }) {
  const calls = { reopen: 0 };
  return {
    calls,
    db: {
      ping: async () => (state.ours ? undefined : new Error("connection 5 to 127.0.0.1:27017 closed")),
      probe: async () => state.server,
      reopen: async () => {
        calls.reopen++;
        if (state.healsOnReopen && state.server) state.ours = true;
      },
    },
  };
}

describe("the database watch", () => {
  it("logs the outage and 'MongoDB reconnected' once it is back, and wakes the worker then", async () => {
    const state = { ours: true, server: true, healsOnReopen: false };
    const { db, calls } = fakeDb(state);
    const { logger, msgs } = recorder();
    let woken = 0;
    let stuck = 0;
    const watch = watchDatabase({ db, logger, everyMs: 5, stuckExitMs: 60_000, onReconnected: () => woken++, onStuck: () => stuck++ });
    try {
      state.ours = state.server = false;
      await eventually(() => watch.down, 2_000, "the outage noticed");
      expect(msgs().filter((m) => m.startsWith("MongoDB unreachable"))).toHaveLength(1);
      state.ours = state.server = true;
      await eventually(() => !watch.down, 2_000, "the return noticed");
      expect(msgs()).toContain("MongoDB reconnected");
      expect(woken).toBe(1);
      expect(calls.reopen).toBe(0);
      expect(stuck).toBe(0);
    } finally {
      watch.stop();
    }
  });

  it("a server that is still down is waited for, however long: no client replacement, no exit", async () => {
    const state = { ours: false, server: false, healsOnReopen: true };
    const { db, calls } = fakeDb(state);
    const { logger } = recorder();
    let stuck = 0;
    let checks = 0;
    const watch = watchDatabase({ db: { ...db, probe: async () => (checks++, false) }, logger, everyMs: 2, stuckExitMs: 20, onReconnected: () => undefined, onStuck: () => stuck++ });
    try {
      // Many times the exit limit's worth of checks.
      await eventually(() => checks > 50, 5_000, "checks");
      expect(calls.reopen).toBe(0);
      expect(stuck).toBe(0);
    } finally {
      watch.stop();
    }
  });

  it("a driver stuck while the server answers a fresh client gets a new client, and heals", async () => {
    const state = { ours: false, server: true, healsOnReopen: true };
    const { db, calls } = fakeDb(state);
    const { logger, msgs } = recorder();
    let stuck = 0;
    let woken = 0;
    const watch = watchDatabase({ db, logger, everyMs: 5, stuckExitMs: 400, onReconnected: () => woken++, onStuck: () => stuck++ });
    try {
      await eventually(() => woken === 1, 5_000, "reconnected after the replacement");
      expect(calls.reopen).toBe(1);
      expect(msgs()).toContain("MongoDB answers a fresh connection but not ours: replacing the driver's client");
      expect(msgs()).toContain("MongoDB reconnected");
      expect(stuck).toBe(0);
    } finally {
      watch.stop();
    }
  });

  it("a driver that stays stuck past the limit ends the process (onStuck), once", async () => {
    const state = { ours: false, server: true, healsOnReopen: false };
    const { db, calls } = fakeDb(state);
    const { logger, msgs } = recorder();
    const stuck: Error[] = [];
    const watch = watchDatabase({ db, logger, everyMs: 5, stuckExitMs: 100, onReconnected: () => undefined, onStuck: (err) => stuck.push(err) });
    try {
      await eventually(() => stuck.length > 0, 5_000, "onStuck");
      await new Promise((r) => setTimeout(r, 50));
      expect(stuck).toHaveLength(1);
      expect(calls.reopen).toBe(1);
      expect(msgs().some((m) => m.includes("the driver stays broken: exiting"))).toBe(true);
    } finally {
      watch.stop();
    }
  });
});

describe("isStorageUnavailable", () => {
  const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error("x"), { name }, extra);

  it("knows the driver's and mongoose's errors for an unreachable database, also inside grammY's BotError", () => {
    expect(isStorageUnavailable(named("MongoNetworkError"))).toBe(true);
    expect(isStorageUnavailable(named("MongoServerSelectionError"))).toBe(true);
    expect(isStorageUnavailable(named("MongooseServerSelectionError"))).toBe(true);
    expect(isStorageUnavailable(named("MongoServerError", { code: 91 }))).toBe(true); // shutting down
    expect(isStorageUnavailable(named("BotError", { error: named("MongoNetworkError") }))).toBe(true);
    expect(isStorageUnavailable(Object.assign(new Error("This socket has been ended by the other party"), { code: "EPIPE" }))).toBe(true);
  });

  it("tells FerretDB's busy SQLite write lock (retried by the worker) from an outage and from other errors", () => {
    const busy = Object.assign(
      new Error("[msg_findandmodify.go:196 handler.(*Handler).findAndModifyDocument] [collection.go:177 sqlite.(*collection).UpdateAll.func1] database is locked (5) (SQLITE_BUSY)"),
      { name: "MongoServerError", code: 1 },
    );
    expect(isWriteLockBusy(busy)).toBe(true);
    expect(isStorageUnavailable(busy)).toBe(false);
    expect(isWriteLockBusy(Object.assign(new Error("a prompt mentioning (SQLITE_BUSY)"), { name: "ValidationError" }))).toBe(false);
    expect(isWriteLockBusy(named("MongoServerError", { code: 11000 }))).toBe(false);
  });

  it("does not mistake bugs, bad input or other services' network errors for an outage", () => {
    expect(isStorageUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(isStorageUnavailable(named("MongoServerError", { code: 11000 }))).toBe(false); // duplicate key
    expect(isStorageUnavailable(named("ValidationError"))).toBe(false);
    // grammY wraps a Telegram network failure in its own HttpError.
    expect(isStorageUnavailable(named("HttpError", { error: Object.assign(new Error("reset"), { code: "ECONNRESET" }) }))).toBe(false);
    expect(isStorageUnavailable(undefined)).toBe(false);
  });
});
