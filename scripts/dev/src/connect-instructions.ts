import type { DevEnvironment, RunningServer } from "./dev-environment.ts";
import { describeRule } from "./gateway-rules-in-force.ts";

/** The server a user most likely wants to try first: notes, else any but the conformance fixture. */
function featured(servers: readonly RunningServer[]): RunningServer | undefined {
  return servers.find((s) => s.slug === "notes") ?? servers.find((s) => s.slug !== "conformance") ?? servers[0];
}

/**
 * The `npm run token` command that mints a token this run's worker accepts: with
 * `--issuer-port` / `--resource` whenever this run overrides the configured ports.
 */
export function tokenCommand(env: DevEnvironment, server: RunningServer, subject: string = env.users[0] ?? "dev|alice"): string {
  // `npm run token` reads `alice` as `dev|alice`; any other subject is quoted for the shell (`|`).
  const sub = /^dev\|[A-Za-z0-9._-]+$/.test(subject) ? subject.slice(4) : `'${subject.replaceAll("'", "'\\''")}'`;
  return [
    "npm run -s token --",
    `--server ${server.slug}`,
    `--scopes "${server.scopes.join(" ")}"`,
    `--sub ${sub}`,
    ...(env.issuerPortOverridden ? [`--issuer-port ${env.issuerPort}`] : []),
    ...(server.portOverridden ? [`--resource ${server.resource}`] : []),
  ].join(" ");
}

/** What `npm run dev` prints once everything is up: a table, then copy-paste lines to connect. */
export function renderDevSummary(env: DevEnvironment): string {
  const rows = env.servers.map((s) => [s.slug, s.resource, s.metadataUrl, s.scopes.join(" ")]);
  const head = ["server", "MCP URL", "protected resource metadata", "scopes"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  const first = featured(env.servers);
  // Each client's own file shape: VS Code's key is "servers" (with "type"), Cursor's "mcpServers".
  const vscodeJson = JSON.stringify({ servers: Object.fromEntries(env.servers.map((s) => [s.slug, { type: "http", url: s.resource }])) }, null, 2);
  const cursorJson = JSON.stringify({ mcpServers: Object.fromEntries(env.servers.map((s) => [s.slug, { url: s.resource }])) }, null, 2);
  return [
    "",
    ...(env.auth === "facade"
      ? [`Authorization server for clients (OAuth facade): ${env.clientIssuer}   — consent there, then sign-in at the Auth0 stand-in ${env.issuer}`]
      : [`Authorization server (Auth0 stand-in): ${env.issuer}   — sign-in is one click as the dev user`]),
    ...(env.console === undefined ? [] : [`Operator console: ${env.console.url}   — sign in as an operator (${env.console.operators.join(", ")}): health, per-tool metrics, recent calls`]),
    // Acting as the user (docs/acting-as-the-user.md): what the servers' declared APIs reach here.
    ...(env.apis?.workers ?? []).map((w) => `First-party API ${w.worker}: ${w.url}   — tools reach it with a token exchanged on the user's behalf`),
    ...(env.apis?.thirdParty === undefined ? [] : [`Third-party provider stand-in: ${env.apis.thirdParty}   — the first call of a tool that needs it asks you to connect the account`]),
    "",
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    "Connect a client:",
    ...(first === undefined
      ? []
      : [
          `  MCP Inspector:  npx @modelcontextprotocol/inspector   (transport "Streamable HTTP", URL ${first.resource})`,
          ...env.servers.map((s) => `  Claude Code:    claude mcp add --transport http ${s.slug} ${s.resource}`),
          "  VS Code (.vscode/mcp.json):",
          ...vscodeJson.split("\n").map((l) => `    ${l}`),
          "  Cursor (.cursor/mcp.json):",
          ...cursorJson.split("\n").map((l) => `    ${l}`),
          ...(env.auth === "facade"
            ? [
                // npm run token mints Auth0-style JWTs; facade-mode servers accept only the facade's tokens.
                "  Tokens come from signing in through the facade (clients do it from the 401); npm run token's",
                "  Auth0-style tokens are refused by servers in facade mode.",
              ]
            : [
                "  Try it with curl (from this directory):",
                `    TOKEN=$(${tokenCommand(env, first)})`,
                `    curl -s ${first.resource} -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\`,
                `      -H "Accept: application/json, text/event-stream" -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'`,
              ]),
        ]),
    ...gatewayLines(env),
    "",
    "Ctrl-C stops everything.",
  ].join("\n");
}

/** The gateway, when it runs: one URL for the fleet, and who sees what by the rules in force. */
function gatewayLines(env: DevEnvironment): string[] {
  const gateway = env.servers.find((s) => s.slug === "gateway");
  if (gateway === undefined) return [];
  const inForce = env.gatewayRules;
  const others = env.users.slice(1);
  return [
    "",
    `Gateway: one MCP URL for the whole fleet: ${gateway.resource}`,
    "  Tools are named {server}__{tool}; who sees which:",
    ...(inForce === undefined
      ? []
      : [
          ...(inForce.source === "gateway.json" ? ["  rules from workers/gateway/gateway.json:"] : []),
          ...(inForce.source === "local KV" ? ["  rules from the gateway's local KV, which override workers/gateway/gateway.json (pushed with wrangler kv key put):"] : []),
          ...(inForce.source === "invalid local KV" ? ["  the gateway's local KV holds an invalid rules document: nobody gets in until it is fixed or deleted"] : []),
          ...inForce.rules.rules.map((rule, i) => `    ${describeRule(rule, i)}`),
          ...(inForce.rules.rules.length === 0 ? ["    (no rules: nobody sees anything)"] : []),
          ...(inForce.source === "gateway.json" ? [] : [`  to use gateway.json's rules again: (cd workers/gateway && ${inForce.deleteCommand})`]),
        ]),
    ...(others.length === 0 ? [] : [`  Sign in as ${others.join(" or ")} on the local sign-in page to see their view${env.auth === "facade" ? "" : `, or:  ${tokenCommand(env, gateway, others[0])}`}`]),
  ];
}
