/**
 * The vitest config Stryker loads for one target: that workspace's own `vitest.config.ts`,
 * unchanged but for its root. Stryker runs vitest from the top of its sandbox (a copy of the
 * repo), while a workspace config means its globs and paths (`test/**`, `./wrangler.toml`)
 * relative to the workspace, as `npm test` runs it there. This file is copied into the sandbox
 * with the workspace, so `import.meta.dirname` points into the sandbox, where the mutants are.
 */
import { join, resolve } from "node:path";
import { type ConfigEnv, loadConfigFromFile, mergeConfig } from "vite";
import { WORKSPACE_ENV } from "./workspace-env.ts";

export default async function workspaceConfig(env: ConfigEnv) {
  const workspace = process.env[WORKSPACE_ENV];
  if (workspace === undefined || workspace === "") throw new Error(`${WORKSPACE_ENV} is not set: this config is for \`npm run mutation\` only.`);
  const root = resolve(import.meta.dirname, "../../..", workspace);
  const loaded = await loadConfigFromFile(env, join(root, "vitest.config.ts"), root);
  if (loaded === null) throw new Error(`${workspace} has no vitest.config.ts.`);
  return mergeConfig(loaded.config, { root });
}
