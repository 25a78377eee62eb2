/**
 * `startWranglerDev` noticing a wrangler that went away on its own: after `ready()` nothing else
 * would, and a fleet test or `npm run dev` would only see refused connections.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePort } from "../src/ports.ts";
import { startWranglerDev } from "../src/wrangler-dev.ts";

const hello = fileURLToPath(new URL("../../../workers/hello", import.meta.url));

async function start(onUnexpectedExit: (how: string, output: string) => void) {
  return startWranglerDev({ cwd: hello, port: await freePort(), inspectorPort: await freePort(), vars: {}, onUnexpectedExit });
}

describe("startWranglerDev", () => {
  it("reports a wrangler that exits without being stopped, with how it ended, and ready() then rejects naming it", async () => {
    const exits: string[] = [];
    const worker = await start((how) => exits.push(how));
    const gone = new Promise((resolve) => worker.child.once("exit", resolve));
    process.kill(-worker.child.pid!, "SIGKILL"); // its whole process group, workerd included
    await gone;
    expect(exits).toEqual(["signal SIGKILL"]);
    await expect(worker.ready(5_000)).rejects.toThrow(/wrangler dev in .*hello exited with signal SIGKILL/);
  });

  it("reports nothing for a wrangler stopped through stop()", async () => {
    const exits: string[] = [];
    const worker = await start((how) => exits.push(how));
    await worker.stop();
    expect(worker.child.exitCode !== null || worker.child.signalCode !== null).toBe(true);
    expect(exits).toEqual([]);
  });
});
