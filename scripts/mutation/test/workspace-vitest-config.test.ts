import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import workspaceConfig from "../src/workspace-vitest-config.ts";
import { WORKSPACE_ENV } from "../src/workspace-env.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const env = { command: "serve", mode: "test" } as const;

describe("the vitest config Stryker loads", () => {
  afterEach(() => {
    delete process.env[WORKSPACE_ENV];
  });

  it("is the named workspace's own config, rooted at that workspace (its globs mean the workspace's tests)", async () => {
    process.env[WORKSPACE_ENV] = "scripts/lint";
    const config = await workspaceConfig(env);
    expect(config.root).toBe(resolve(ROOT, "scripts/lint"));
    expect(config.test?.include).toEqual(["test/**/*.test.ts"]);
    expect(config.test?.environment).toBe("node");
  });

  it("refuses to run outside `npm run mutation` (no workspace named)", async () => {
    await expect(workspaceConfig(env)).rejects.toThrow(WORKSPACE_ENV);
  });
});
