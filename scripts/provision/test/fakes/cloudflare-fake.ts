/**
 * A faithful in-memory Cloudflare API (the parts the provisioner uses) on loopback HTTP:
 * `GET /client/v4/accounts/{account}/workers/domains?hostname=` and `GET /client/v4/zones?name=`,
 * with Cloudflare's `{ success, errors, result }` envelope and 403 for a bad token.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export class CloudflareFake {
  readonly accountId = "acc_0123456789abcdef";
  readonly token = "cf-token-never-printed";
  /** hostname → worker (service) it is attached to. */
  readonly domains = new Map<string, string>();
  readonly calls: string[] = [];
  private server: Server | undefined;
  origin = "";

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      this.calls.push(`${req.method} ${url.pathname}`);
      const send = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      if (req.headers.authorization !== `Bearer ${this.token}`) return send(403, { success: false, errors: [{ code: 10000, message: "Authentication error" }], result: null });
      if (req.method === "GET" && url.pathname === `/client/v4/accounts/${this.accountId}/workers/domains`) {
        const hostname = url.searchParams.get("hostname");
        const result = [...this.domains].filter(([h]) => hostname === null || h === hostname).map(([h, service]) => ({ id: `dom_${h}`, hostname: h, service, zone_id: "zone_1", environment: "production" }));
        return send(200, { success: true, errors: [], messages: [], result });
      }
      if (req.method === "GET" && url.pathname === "/client/v4/zones") return send(200, { success: true, errors: [], result: [{ id: "zone_1", name: url.searchParams.get("name") }] });
      return send(404, { success: false, errors: [{ code: 7003, message: "Could not route" }], result: null });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.origin;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
