import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { app } from "../../src/index.ts";
import { log } from "../../src/log.ts";
import { meterBindings } from "../../src/metering/bindings.ts";
import { meter, resetCounts } from "../../src/metering/counts.ts";
import { meterObjectClasses } from "../../src/metering/objects.ts";
import { meterStorage, settleCursors } from "../../src/metering/storage.ts";
import { meteredWorker } from "../../src/metering/worker.ts";
import { TEST_ADMIN_TOKEN } from "../helpers/bindings.ts";
import { basicAuth } from "../helpers/http.ts";

const unique = () => `metering-${crypto.randomUUID()}`;

/** Keeps the console quiet; installed before the metering, which then counts around these silent methods. */
function silenceConsole(): void {
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation(() => undefined);
  }
}

describe("the bench's metering", () => {
  beforeEach(() => resetCounts());
  afterEach(() => vi.restoreAllMocks());

  it("sums rowsWritten over every sql.exec cursor, not one per statement", async () => {
    await runInDurableObject(env.DEAD_LETTERS.getByName(unique()), (_instance, state) => {
      meterStorage(state.storage);
      state.storage.sql.exec("CREATE TABLE IF NOT EXISTS probe (v INTEGER)");
      settleCursors();
      resetCounts();
      const cursor = state.storage.sql.exec("INSERT INTO probe VALUES (1), (2), (3)");
      state.storage.sql.exec("INSERT INTO probe VALUES (4)").toArray();
      expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM probe").one().n).toBe(4);
      settleCursors();
      expect(cursor.rowsWritten).toBe(3);
      expect(meter.sqlRowsWritten).toBe(4);
      expect(meter.sqlStatements).toBe(3);
    });
  });

  it("counts setAlarm, deleteAlarm and KV keys as rows written", async () => {
    await runInDurableObject(env.DEAD_LETTERS.getByName(unique()), async (_instance, state) => {
      meterStorage(state.storage);
      await state.storage.setAlarm(Date.now() + 60_000);
      await state.storage.deleteAlarm();
      await state.storage.put({ a: 1, b: 2 });
      await state.storage.delete("a");
      // The synchronous KV API, which a message is stored through.
      state.storage.kv.put("message", { events: [] });
      state.storage.kv.delete("message");
      expect(meter.alarmWrites).toBe(2);
      expect(meter.kvRowsWritten).toBe(5);
    });
  });

  it("counts each method call on a stub as one request of its binding", async () => {
    meterBindings(env);
    const stub = env.DEAD_LETTERS.getByName(unique());
    await stub.list(10);
    await stub.list(10);
    expect(meter.objectRequests.DEAD_LETTERS).toBe(2);
    expect(meter.subrequests).toBe(0);
  });

  it("adds up D1 rows written from the meta of batch results", async () => {
    meterBindings(env);
    const db = env.MESSAGE_INDEX;
    await db.prepare("CREATE TABLE IF NOT EXISTS metering_probe (v INTEGER)").run();
    resetCounts();
    await db.batch([
      db.prepare("INSERT INTO metering_probe VALUES (1), (2)"),
      db.prepare("INSERT INTO metering_probe VALUES (3)"),
    ]);
    expect(meter.d1RowsWritten).toBe(3);
    expect(meter.d1Statements).toBe(2);
  });

  it("keeps a synchronous method synchronous and counts alarms and active time when on", async () => {
    class Probe {
      env = { BENCH_METERING: "on" };
      value(): number {
        return 7;
      }
      async alarm(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    meterObjectClasses({ Probe });
    const probe = new Probe();
    expect(probe.value()).toBe(7);
    await probe.alarm();
    expect(meter.alarms.Probe).toBe(1);
    expect(meter.objectActiveMs.Probe).toBeGreaterThanOrEqual(0);
    probe.env = { BENCH_METERING: "off" };
    await probe.alarm();
    expect(meter.alarms.Probe).toBe(1);
  });

  it("counts each console line a metered request writes as one log line, and the request itself", async () => {
    silenceConsole();
    const metered = meteredWorker(app);
    const ctx = createExecutionContext();
    const request = new Request("https://receiver.test/callbacks/messaging", {
      method: "POST",
      headers: { authorization: basicAuth(), "content-type": "application/json" },
      body: "{not json",
    });
    const response = await metered.fetch(request, { ...env, BENCH_METERING: "on" } as never, ctx as never);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(400);
    // callback_rejected (warn): the one line of a rejected callback.
    expect(meter.workerRequests).toBe(1);
    expect(meter.logLines).toBe(1);
    const bytes = meter.logBytes;
    expect(bytes).toBeGreaterThan(20);
    console.log("plain");
    console.error("plain", "é");
    expect(meter.logBytes - bytes).toBe("plain\n".length + "plain é\n".length + 1);
    log("info", "probe");
    expect(meter.logLines).toBe(4);
  });

  it("counts the console lines of a metered object's methods", () => {
    silenceConsole();
    class Chatty {
      env = { BENCH_METERING: "on" };
      work(): void {
        log("info", "event_stored");
        log("warn", "forward_attempt");
      }
    }
    meterObjectClasses({ Chatty });
    new Chatty().work();
    expect(meter.logLines).toBe(2);
  });

  it("answers 404 at /_bench/metering when metering is off", async () => {
    const response = await exports.default.fetch("https://receiver.test/_bench/metering", {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(response.status).toBe(404);
    await response.body?.cancel();
  });
});
