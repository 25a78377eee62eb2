import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A port someone wants, and who. */
export interface PortClaim {
  readonly port: number;
  readonly purpose: string;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => (error.code === "EADDRINUSE" ? resolve(false) : reject(error)));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** The claims whose port something already listens on (loopback), in the order given. */
export async function busyPorts(claims: readonly PortClaim[]): Promise<PortClaim[]> {
  const busy: PortClaim[] = [];
  for (const claim of claims) if (!(await isFree(claim.port))) busy.push(claim);
  return busy;
}

/** The error for busy ports: names every one of them, and what to do. */
export function portsInUseError(busy: readonly PortClaim[]): Error {
  const list = busy.map((c) => `${c.port} (${c.purpose})`).join(", ");
  const lsof = busy.map((c) => `-i :${c.port}`).join(" ");
  return new Error(
    `${busy.length === 1 ? "Port" : "Ports"} ${list} ${busy.length === 1 ? "is" : "are"} in use. Stop whatever listens there (\`lsof ${lsof}\`), ` +
      "or choose other ports for this run with --issuer-port N / --port <slug>=N (or change them in ecosystem.json / mcp.json).",
  );
}

/** Throws an error naming the port (and who wanted it) when something already listens there. */
export async function assertPortFree(port: number, purpose: string): Promise<void> {
  const busy = await busyPorts([{ port, purpose }]);
  if (busy.length > 0) throw portsInUseError(busy);
}

/** A port free on loopback right now (the OS picks it); someone else may take it before it is used. */
function osFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Where handed-out ports are claimed, across processes (parallel test files each start a fleet). */
const CLAIMS_DIR = join(tmpdir(), "edge-mcp-port-claims");
/** A claim older than this is from a run that is gone, in milliseconds (10 min). */
const STALE_CLAIM_MS = 600_000;
const claimed = new Set<string>();

/** Claims `port` for this process: false when another process (or this one) holds a recent claim. */
export function claimPort(port: number): boolean {
  mkdirSync(CLAIMS_DIR, { recursive: true });
  const file = join(CLAIMS_DIR, String(port));
  try {
    writeFileSync(file, String(process.pid), { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    if (claimed.has(file) || Date.now() - statSync(file).mtimeMs < STALE_CLAIM_MS) return false;
    writeFileSync(file, String(process.pid));
  }
  if (claimed.size === 0) process.once("exit", () => claimed.forEach((f) => rmSync(f, { force: true })));
  claimed.add(file);
  return true;
}

/**
 * A free loopback port that no other caller of this function has been given: between the OS
 * picking a port and wrangler binding it (seconds), a second caller — another test file's fleet,
 * another `npm run dev` — could otherwise be handed the same port, and two servers would share
 * it. Claims are files under the OS temp dir, removed when this process exits.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await osFreePort();
    if (claimPort(port)) return port;
  }
  throw new Error(`No free port could be claimed (claims in ${CLAIMS_DIR}).`);
}

/** Polls `url` until it answers (any status) or the deadline passes. */
export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`nothing answered at ${url} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
