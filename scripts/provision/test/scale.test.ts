import { afterEach, describe, expect, it } from "vitest";
import type { Auth0Fake } from "./fakes/auth0-fake.ts";
import { fleetOf, setup } from "./helpers.ts";

const fakes: Auth0Fake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

describe("scale: 50 servers × 5 clients", () => {
  it("needs at most 10 Management API calls for a no-op run (pagination, one tenant read)", async () => {
    const { servers, ecosystem } = fleetOf(50, 5);
    const s = await setup(servers, ecosystem);
    fakes.push(s.fake);
    const first = await s.run();
    expect(first.summary.create).toBe(50 + 5 + 50 * 5 + 50);
    const again = await s.run();
    expect(again.plan.changes).toEqual([]);
    expect(again.writeCalls).toBe(0);
    expect(again.managementCalls).toBeLessThanOrEqual(10);
  }, 60_000);
});
