import { describe, expect, it } from "vitest";
import { coalesce } from "../src/coalesce.ts";

describe("coalesce (single-flight with a bounded join)", () => {
  it("runs the task once for concurrent callers and shares the result", async () => {
    let runs = 0;
    const load = coalesce(async () => {
      runs += 1;
      await new Promise((r) => setTimeout(r, 10));
      return runs;
    }, 1_000);
    expect(await Promise.all([load(), load(), load()])).toEqual([1, 1, 1]);
    expect(runs).toBe(1);
  });

  it("keeps nothing after settling: the next call runs the task again", async () => {
    let runs = 0;
    const load = coalesce(async () => ++runs, 1_000);
    await load();
    await load();
    expect(runs).toBe(2);
  });

  it("shares a rejection with the joiners", async () => {
    const load = coalesce(async () => {
      await new Promise((r) => setTimeout(r, 5));
      throw new Error("down");
    }, 1_000);
    const results = await Promise.allSettled([load(), load()]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  });

  it("stops waiting for a leader that never settles and runs the task itself (a cancelled request in workerd)", async () => {
    let runs = 0;
    const load = coalesce(() => {
      runs += 1;
      return runs === 1 ? new Promise<number>(() => {}) : Promise.resolve(runs);
    }, 20);
    void load();
    expect(await load()).toBe(2);
  });
});
