import { spawn } from "node:child_process";
import { binOf, freePort } from "../../src/index.ts";

export interface AuthorizationRun {
  readonly exitCode: number;
  readonly output: string;
  /** Whether the person (the `person` callback) was asked to sign in at all. */
  readonly signedIn: boolean;
}

/**
 * `conformance authorization` of @modelcontextprotocol/conformance 0.2.0-alpha.12 against an
 * authorization server (its `authorization-server-metadata` and `authorization-code-grant`
 * scenarios). The suite prints an authorization URL for a person to open and listens for the
 * redirect on `http://127.0.0.1:<port>/callback`: `person` plays that person in a browser-less
 * way (the sign-in pages of this server) and the final redirect is delivered to the suite. The
 * client must be registered for that callback first (`register`, given the callback URL).
 */
export async function runConformanceAuthorization(options: {
  readonly repoRoot: string;
  /** The issuer, as the suite must see it (an Auth0-style issuer keeps its trailing slash). */
  readonly url: string;
  readonly resource: string;
  readonly register: (callback: string) => Promise<string>;
  readonly person: (authorizationUrl: URL) => Promise<URL>;
}): Promise<AuthorizationRun> {
  const port = await freePort();
  const clientId = await options.register(`http://127.0.0.1:${port}/callback`);
  const cli = binOf("@modelcontextprotocol/conformance", "conformance", options.repoRoot);
  const child = spawn(process.execPath, [cli, "authorization", "--url", options.url, "--client-id", clientId, "--resource", options.resource, "--port", String(port)], {
    cwd: options.repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let signedIn: Promise<void> | undefined;
  const onData = (chunk: Buffer) => {
    output += String(chunk);
    const url = /^(http:\/\/\S+\?\S*client_id=\S+)$/m.exec(output)?.[1];
    if (url !== undefined && signedIn === undefined) {
      // The person at the browser signs in, and the browser follows the redirect to the suite's callback.
      signedIn = options.person(new URL(url)).then(async (back) => void (await (await fetch(back)).text()));
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exitCode = await new Promise<number>((resolve) => child.once("exit", (c) => resolve(c ?? 1)));
  await signedIn;
  return { exitCode, output, signedIn: signedIn !== undefined };
}

/** The suite's verdict lines: each scenario passed with none failed, and the totals. */
export function conformanceCounts(output: string): { passed: number; failed: number } | undefined {
  const total = /Total: (\d+) passed, (\d+) failed/.exec(output);
  return total === null ? undefined : { passed: Number(total[1]), failed: Number(total[2]) };
}
