import { createContext, type ContextOptions } from "./context.ts";
import { readCurrentState } from "./current-state.ts";
import { verifyTenant, type Check } from "./verify-tenant.ts";

/** `verify-tenant`: reads Auth0 and reports each prerequisite with its fix. Makes no writes. */
export async function runVerifyTenant(options: ContextOptions): Promise<Check[]> {
  const { desired, mgmt } = createContext(options);
  const cimd = desired.cimdClients.length > 0;
  return verifyTenant(desired, await readCurrentState(mgmt, { connections: desired.domainConnections.length > 0 || cimd, rules: cimd }));
}
