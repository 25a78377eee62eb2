import { createServer } from "node:net";

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

/** A port free on loopback right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
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
