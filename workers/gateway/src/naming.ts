/**
 * How backend tools are named at the gateway: `{backend}__{tool}` (two underscores; backend
 * names are lowercase letters, digits and dashes, so the first `__` always ends the backend),
 * or an alias from the config. MCP tool names are at most 128 characters (2025-11-25 §Tools,
 * tool names): a longer composed name is left out rather than cut, which could collide.
 */
export const NAME_SEPARATOR = "__";
const MAX_TOOL_NAME_CHARS = 128;

export interface RoutedName {
  readonly backend: string;
  readonly tool: string;
}

/** The name a backend's tool has at the gateway, or undefined when it cannot be exposed. */
export function exposedName(backend: string, tool: string, aliases: Readonly<Record<string, string>>): string | undefined {
  const name = aliases[`${backend}.${tool}`] ?? `${backend}${NAME_SEPARATOR}${tool}`;
  return name.length <= MAX_TOOL_NAME_CHARS ? name : undefined;
}

/**
 * The routing table of one listing: exposed name → backend tool. A name claimed twice (an alias
 * equal to another tool's name) routes to neither, so a call can never reach the wrong backend.
 */
export function routingTable(entries: Iterable<RoutedName>, aliases: Readonly<Record<string, string>>): Map<string, RoutedName> {
  const table = new Map<string, RoutedName>();
  const clashes = new Set<string>();
  for (const entry of entries) {
    const name = exposedName(entry.backend, entry.tool, aliases);
    if (name === undefined) continue;
    if (table.has(name)) clashes.add(name);
    else table.set(name, entry);
  }
  for (const name of clashes) table.delete(name);
  return table;
}
