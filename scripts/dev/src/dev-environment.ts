import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { devIssuer } from "@edge-mcp/config";
import { loadFleet, type LoadedFleet } from "@edge-mcp/config/load";
import { devResourceServers, loadOrCreateMachineClients, loadOrCreateSigningKey, machineClientKeys, startDevAuthServer, startThirdPartyProvider, type DevAuthServer, type ThirdPartyProvider } from "@edge-mcp/dev-auth";
import type { ChildReaper } from "./child-reaper.ts";
import { busyPorts, portsInUseError } from "./ports.ts";
import { loadOrCreateSecret } from "./local-secret.ts";
import { planPorts } from "./port-plan.ts";
import { gatewayRulesInForce, type GatewayRulesInForce } from "./gateway-rules-in-force.ts";
import { createWorkerLauncher } from "./worker-launcher.ts";
import { DEV_FACADE_CLIENT_ID, facadeLaunch, serverLaunch, type RunningServer } from "./server-launch.ts";
import { consoleAtStandIn, consoleRun, consoleUrl, devOperators } from "./dev-console.ts";
import { DEV_PROVIDER_CLIENT, planDevApis } from "./dev-apis.ts";

export interface DevEnvironmentOptions {
  /** Repository root (holds ecosystem.json and workers/). */
  root: string;
  /** Start only these workers (by slug); default every worker with an mcp.json. */
  only?: readonly string[];
  /**
   * Port overrides, e.g. free ports in tests; default the ports in ecosystem.json / mcp.json:
   * `apis` moves a first-party API's worker (mcp.json `apis.<name>.dev.worker`), `thirdParty` the
   * third-party provider stand-in (ecosystem.json `dev.thirdPartyPort`).
   */
  ports?: { issuer?: number; workers?: Readonly<Record<string, number>>; apis?: Readonly<Record<string, number>>; thirdParty?: number };
  /** Where the dev signing key lives; default `<root>/.dev-auth/keys.json` (git-ignored). */
  keyFile?: string;
  /** Progress lines ("starting notes on :8789 …"). */
  log?: (line: string) => void;
  /** wrangler's own output, per worker. */
  onWorkerOutput?: (slug: string, line: string) => void;
  /**
   * A worker's wrangler exited on its own (not through `stop`/`stopServer`) after the fleet had
   * started: how ("code 1") and its last output. An exit while starting fails the start instead.
   */
  onWorkerExit?: (slug: string, how: string, lastOutput: string) => void;
  /**
   * Where workers keep local Durable Object / KV state (`wrangler dev --persist-to`); default
   * each worker's own `.wrangler/state`, the store `npm run dev` uses. Tests pass a temp dir.
   */
  stateDir?: string;
  /**
   * wrangler's dev registry, through which a gateway reaches its backends' entrypoints. Default: a
   * fresh directory for this run, so that this fleet's service bindings never reach a worker of
   * the same name started elsewhere (another checkout, a test, a plain `wrangler dev`).
   */
  registryDir?: string;
  /** Records every child, so that they are stopped even if this process is killed. */
  reaper?: ChildReaper;
  /**
   * "auth0" (default): clients sign in at the Auth0 stand-in directly (open DCR there). "facade":
   * the edge OAuth facade (workers/oauth) is the clients' authorization server, in front of the
   * stand-in with DCR off there, and servers check the facade's tokens over AUTH_SERVER.
   */
  auth?: "auth0" | "facade";
  /** Facade mode: its port; default ecosystem.json `dev.facadePort` (9410). */
  facadePort?: number;
  /** Browser origins allowed besides MCP Inspector's (`DEV_ALLOWED_ORIGINS`): a browser test's page. */
  allowedOrigins?: readonly string[];
  /** More vars for some workers, by slug: a test fleet's own limits (e.g. the gateway's `GATEWAY_BACKEND_TIMEOUT_MS`). */
  workerVars?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Start the operator console (workers/console) too, its local store fed by every server's metric
   * points (default off in the library; `npm run dev` turns it on, `--no-console` off).
   */
  console?: boolean;
  /** The console's port; default ecosystem.json `dev.consolePort` (9420). */
  consolePort?: number;
}

export type { RunningServer } from "./server-launch.ts";

export interface DevEnvironment {
  /** The issuer MCP clients sign in with: the Auth0 stand-in, or the facade in facade mode. */
  readonly clientIssuer: string;
  readonly auth: "auth0" | "facade";
  /** The Auth0 stand-in. */
  readonly issuer: string;
  readonly issuerPort: number;
  /** Whether the issuer port differs from ecosystem.json (a token then needs `--issuer-port`). */
  readonly issuerPortOverridden: boolean;
  readonly keyFile: string;
  readonly servers: readonly RunningServer[];
  /** The development users of the local sign-in page (ecosystem.json `dev.user`, then `dev.extraUsers`). */
  readonly users: readonly string[];
  /** When a gateway runs: the rules it decides by, and whether local KV overrides gateway.json. */
  readonly gatewayRules?: GatewayRulesInForce;
  /** When servers declare APIs they call as the user: the first-party API workers started, and the third-party stand-in's URL. */
  readonly apis?: { readonly workers: ReadonlyArray<{ readonly worker: string; readonly url: string }>; readonly thirdParty?: string };
  /** When the operator console runs: its URL, and who may sign in to it (the operator scope's holders). */
  readonly console?: { readonly url: string; readonly operators: readonly string[] };
  /** Stops one worker (a backend going down under a gateway), leaving the rest running. */
  stopServer(slug: string): Promise<void>;
  stop(): Promise<void>;
}

/** The run's ports (checked: overrides, clashes) and its servers, each moved to its port for this run. */
function planRun(fleet: LoadedFleet, options: DevEnvironmentOptions) {
  const plan = planPorts(fleet, {
    ...(options.only === undefined ? {} : { only: options.only }),
    ...(options.ports?.issuer === undefined ? {} : { issuer: options.ports.issuer }),
    ...(options.facadePort === undefined ? {} : { facade: options.facadePort }),
    ...(options.ports?.workers === undefined ? {} : { workers: options.ports.workers }),
    facadeRuns: options.auth === "facade",
    consoleRuns: options.console === true,
    ...(options.consolePort === undefined ? {} : { console: options.consolePort }),
  });
  const selected = plan.workers.map((w) => {
    const s = fleet.servers.find((server) => server.manifest.slug === w.slug)!;
    return { ...s, configuredPort: w.configured, manifest: { ...s.manifest, dev: { port: w.port } } };
  });
  return { plan, selected };
}

/**
 * Starts the local authorization server and the fleet's workers under `wrangler dev`, each
 * pointed at the local issuer with its own resource URL as audience — the same APIs and scopes
 * the provisioner would create in Auth0. Stops everything it started if any part fails.
 */
export async function startDevEnvironment(options: DevEnvironmentOptions): Promise<DevEnvironment> {
  const log = options.log ?? (() => {});
  const fleet = loadFleet(options.root);
  const facade = options.auth === "facade";
  const { plan, selected } = planRun(fleet, options);
  const issuerPort = plan.issuer;
  const issuer = devIssuer(fleet.ecosystem, issuerPort);
  const facadePort = plan.facade;
  const facadeIssuer = `http://localhost:${facadePort}`;
  const keyFile = options.keyFile ?? join(options.root, ".dev-auth", "keys.json");
  const resourceServers = devResourceServers(fleet.ecosystem, selected.map((s) => s.manifest));
  const operators = devOperators(fleet.ecosystem);
  const thirdPartyPort = options.ports?.thirdParty ?? fleet.ecosystem.dev.thirdPartyPort;
  // Local secrets of the servers' exchange and connect clients, kept beside the signing key (git-ignored).
  const secretFor = (name: string) => loadOrCreateSecret(join(dirname(keyFile), `${name}.secret`));
  const apisPlan = planDevApis(selected.map((s, i) => ({ manifest: s.manifest, resource: resourceServers[i]!.identifier })), issuer, secretFor, { providerOrigin: `http://localhost:${thirdPartyPort}`, ...(options.ports?.apis === undefined ? {} : { apiPorts: options.ports.apis }) });

  const busy = await busyPorts([
    { port: issuerPort, purpose: "the local authorization server" },
    ...(facade ? [{ port: facadePort, purpose: "the OAuth facade" }] : []),
    ...(options.console === true ? [{ port: plan.console, purpose: "the operator console" }] : []),
    ...apisPlan.apiWorkers.map((w) => ({ port: w.port, purpose: `the API worker ${w.worker}` })),
    ...(apisPlan.thirdParty ? [{ port: thirdPartyPort, purpose: "the third-party provider stand-in" }] : []),
    ...selected.map((s) => ({ port: s.manifest.dev.port, purpose: `worker ${s.manifest.slug}` })),
  ]);
  if (busy.length > 0) throw portsInUseError(busy);
  const registryDir = options.registryDir ?? mkdtempSync(join(tmpdir(), "edge-mcp-dev-registry-"));
  /** Set once every worker answered: from then on an exit is reported through `onWorkerExit`. */
  let running = false;
  const workers = createWorkerLauncher({ stateDir: options.stateDir, registryDir, reaper: options.reaper, onWorkerOutput: options.onWorkerOutput, onWorkerExit: options.onWorkerExit, isRunning: () => running });
  const started: { auth?: DevAuthServer; provider?: ThirdPartyProvider } = {};
  const stop = async () => {
    await workers.stopAll();
    await started.auth?.close();
    await started.provider?.close();
    if (options.registryDir === undefined) rmSync(registryDir, { recursive: true, force: true });
  };
  try {
    const facadeSecret = facade ? loadOrCreateSecret(join(dirname(keyFile), "facade-client.secret")) : "";
    const consoleSecret = options.console === true ? loadOrCreateSecret(join(dirname(keyFile), "console-client.secret")) : "";
    const atStandIn = options.console === true ? consoleAtStandIn(plan.console, consoleSecret) : undefined;
    log(`starting the local authorization server on ${issuer}${facade ? " (dynamic registration off: clients register at the facade)" : ""}`);
    started.auth = await startDevAuthServer({
      ...(facade ? { facadeClient: { clientId: DEV_FACADE_CLIENT_ID, clientSecret: facadeSecret, redirectUri: `${facadeIssuer}/callback` }, registration: false } : {}),
      issuer,
      port: issuerPort,
      signingKey: await loadOrCreateSigningKey(keyFile),
      user: fleet.ecosystem.dev.user,
      extraUsers: fleet.ecosystem.dev.extraUsers,
      resourceServers: [...resourceServers, ...(atStandIn === undefined ? [] : [atStandIn.resourceServer]), ...apisPlan.resourceServers],
      webClients: [...(atStandIn === undefined ? [] : [atStandIn.webClient]), ...apisPlan.webClients],
      exchangeClients: apisPlan.exchangeClients,
      connections: apisPlan.connections(`http://localhost:${thirdPartyPort}`),
      operators,
      machineClients: loadOrCreateMachineClients(join(dirname(keyFile), "clients.json"), machineClientKeys(fleet.ecosystem)),
    });
    log("the authorization server keeps client registrations and refresh tokens in memory: clients register again after a restart (access tokens stay valid: the signing key is kept in .dev-auth/)");
    if (facade) {
      log(`starting the OAuth facade on ${facadeIssuer}`);
      // Registered before the servers start, so their AUTH_SERVER bindings find it at once.
      await (await workers.start("oauth", facadeLaunch(options.root, facadePort, issuer, facadeSecret, resourceServers))).ready();
    }
    if (apisPlan.thirdParty) {
      log(`starting the third-party provider stand-in on http://localhost:${thirdPartyPort} (accounts users connect through Token Vault)`);
      started.provider = await startThirdPartyProvider({ port: thirdPartyPort, clientId: DEV_PROVIDER_CLIENT.id, clientSecret: DEV_PROVIDER_CLIENT.secret, redirectUris: [`${issuer}connected-accounts/callback`] });
    }
    for (const api of apisPlan.apiWorkers) {
      log(`starting the API worker ${api.worker} on http://localhost:${api.port} (a first-party API servers call as the user)`);
      await (await workers.start(api.worker, { cwd: join(options.root, "workers", api.worker), port: api.port, vars: api.vars })).ready();
    }
    if (options.console === true) {
      log(`starting the operator console on ${consoleUrl(plan.console)}`);
      const run = consoleRun({ port: plan.console, issuer, clientSecret: consoleSecret, sessionKey: loadOrCreateSecret(join(dirname(keyFile), "console-session.key")), servers: selected.map((s) => s.manifest) });
      // Registered before the servers start, so their metric points find its store at once.
      await (await workers.start("console", { cwd: join(options.root, "workers", "console"), port: plan.console, vars: run.vars, extraServices: run.services })).ready();
    }
    // The HMAC key for MRTR requestState (a Worker secret in production), kept beside the signing key.
    const shared = { issuer: facade ? facadeIssuer : issuer, facade, requestStateKey: loadOrCreateSecret(join(dirname(keyFile), "request-state.key")), metricsLocal: options.console === true, allowedOrigins: options.allowedOrigins ?? [] };
    const servers: RunningServer[] = [];
    for (const [i, s] of selected.entries()) {
      log(`starting ${s.manifest.slug} (${s.manifest.transport}) on http://localhost:${s.manifest.dev.port}`);
      const vars = { ...apisPlan.serverVars(s.manifest.slug), ...options.workerVars?.[s.manifest.slug] };
      const { launch, server } = serverLaunch(s, resourceServers[i]!, shared, vars);
      await workers.start(s.manifest.slug, launch);
      servers.push(server);
    }
    // In facade mode a server is ready when its /health reaches the facade over AUTH_SERVER (200).
    await Promise.all(servers.map((server) => workers.get(server.slug)!.ready(90_000, { healthy: facade })));
    const stopServer = async (slug: string) => {
      const worker = servers.some((s) => s.slug === slug) ? workers.get(slug) : undefined;
      if (worker === undefined) throw new Error(`No running worker named ${slug}.`);
      await workers.stop(worker);
    };
    running = true;
    const gateway = selected.find((s) => s.gateway !== undefined);
    const gatewayRules = gateway === undefined ? undefined : await gatewayRulesInForce(gateway.dir, gateway.gateway!, options.stateDir === undefined ? undefined : join(options.stateDir, gateway.manifest.slug));
    return {
      clientIssuer: facade ? facadeIssuer : issuer,
      auth: facade ? "facade" : "auth0",
      issuer,
      issuerPort,
      issuerPortOverridden: issuerPort !== fleet.ecosystem.dev.issuerPort,
      keyFile,
      servers,
      users: [fleet.ecosystem.dev.user.sub, ...fleet.ecosystem.dev.extraUsers.map((u) => u.sub)],
      ...(gatewayRules === undefined ? {} : { gatewayRules }),
      ...(options.console === true ? { console: { url: consoleUrl(plan.console), operators: operators.subjects } } : {}),
      ...(apisPlan.apiWorkers.length > 0 || apisPlan.thirdParty ? { apis: { workers: apisPlan.apiWorkers.map((w) => ({ worker: w.worker, url: `http://localhost:${w.port}` })), ...(apisPlan.thirdParty ? { thirdParty: `http://localhost:${thirdPartyPort}` } : {}) } } : {}),
      stopServer,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
