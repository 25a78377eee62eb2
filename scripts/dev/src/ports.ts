import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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
      "or choose other ports for this run with --issuer-port N / --facade-port N / --port <slug>=N (or change them for good: ecosystem.json dev.issuerPort / dev.facadePort, a worker's mcp.json dev.port).",
  );
}

/** Throws an error naming the port (and who wanted it) when something already listens there. */
export async function assertPortFree(port: number, purpose: string): Promise<void> {
  const busy = await busyPorts([{ port, purpose }]);
  if (busy.length > 0) throw portsInUseError(busy);
}

/**
 * The ports handed out, in the range below the ephemeral range every supported OS uses by default
 * (Linux 32768–60999, macOS and Windows 49152–65535): a port the OS assigns itself — to another
 * process's `listen(0)` (wrangler and workerd bind several each) or to an outgoing connection — is
 * never one of these, so a handed-out port stays free during the seconds between our claim and the
 * server binding it (an OS-chosen port, as handed out before, could be given to another process in
 * that window — with parallel fleets starting, a few dozen such binds happen in it).
 */
export const HANDOUT_PORTS = { from: 20_000, to: 32_767 } as const;

interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** Linux's ephemeral range where it can be read (it can be changed with sysctl), else undefined. */
function ephemeralRange(): PortRange | undefined {
  try {
    const [from, to] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    return from !== undefined && to !== undefined && Number.isInteger(from) && Number.isInteger(to) ? { from, to } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The part of `HANDOUT_PORTS` outside this machine's ephemeral range (Linux, when readable), or
 * undefined when less than 1000 ports are left there (then ports come from the OS, as a last resort).
 */
export function handoutRange(ephemeral = ephemeralRange()): PortRange | undefined {
  const { from, to } = HANDOUT_PORTS;
  if (ephemeral === undefined || ephemeral.from > to || ephemeral.to < from) return { from, to };
  return [{ from, to: ephemeral.from - 1 }, { from: ephemeral.to + 1, to }].find((r) => r.to - r.from >= 1_000);
}

/** A port the OS picks, free on loopback right now; someone else may take it before it is used. */
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

/** A random port of `range` free on loopback right now; someone else may take it before it is used. */
async function randomFreePort(range: PortRange | undefined): Promise<number | undefined> {
  if (range === undefined) return osFreePort();
  const port = range.from + Math.floor(Math.random() * (range.to - range.from + 1));
  // A port that cannot be bound at all (EACCES: Windows reserves ranges for Hyper-V and WSL) is skipped too.
  return (await isFree(port).catch(() => false)) ? port : undefined;
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
 * A free loopback port (from `handoutRange()`) that no other caller of this function has been
 * given: between picking a port and wrangler binding it (seconds), a second caller — another test
 * file's fleet, another `npm run dev` — could otherwise be handed the same port, and two servers
 * would share it. Claims are files under the OS temp dir, removed when this process exits.
 */
export async function freePort(): Promise<number> {
  const range = handoutRange();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = await randomFreePort(range);
    if (port !== undefined && claimPort(port)) return port;
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
