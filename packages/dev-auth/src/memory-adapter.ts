/**
 * oidc-provider's own in-memory adapter, passed explicitly: the same storage, without the
 * warning oidc-provider prints when it picks that adapter itself. `npm run dev` says what it
 * means once, in its own words (registrations and refresh tokens do not survive a restart).
 */
// @ts-expect-error -- oidc-provider publishes no types for its adapters; the module is stable across 8.x/9.x.
import { createMemoryAdapter } from "oidc-provider/lib/adapters/memory_adapter.js";
import type { Configuration } from "oidc-provider";

export function inMemoryAdapter(clockToleranceSeconds = 0): NonNullable<Configuration["adapter"]> {
  return (createMemoryAdapter as (tolerance: number) => NonNullable<Configuration["adapter"]>)(clockToleranceSeconds);
}
