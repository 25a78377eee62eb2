/**
 * A faithful in-memory Cloudflare API (the parts the provisioner uses) on loopback HTTP:
 * `GET /client/v4/accounts/{account}/workers/domains?hostname=` and `GET /client/v4/zones?name=`,
 * Workers KV namespaces (list, paginated with `result_info`; create, 400 code 10014 for a title
 * taken) and values (GET raw, 404 code 10009 when missing; PUT), a Worker's secret names (GET
 * `/workers/scripts/{name}/secrets`, 404 code 10007 for a Worker not deployed), with Cloudflare's
 * `{ success, errors, result }` envelope and 403 for a bad token.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += String(chunk)));
    req.on("end", () => resolve(text));
  });
}

export class CloudflareFake {
  readonly accountId = "acc_0123456789abcdef";
  readonly token = "cf-token-never-printed";
  /** hostname → worker (service) it is attached to. */
  readonly domains = new Map<string, string>();
  readonly calls: string[] = [];
  /** KV namespaces: id → title and values. */
  readonly namespaces = new Map<string, { title: string; values: Map<string, string> }>();
  /** Deployed Workers and the names of their secrets (values are never returned by the API). */
  readonly scripts = new Map<string, Set<string>>();
  /** Page size the fake uses when a listing asks for more (forces pagination in tests). */
  maxPerPage = 100;
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
      const kv = `/client/v4/accounts/${this.accountId}/storage/kv/namespaces`;
      if (url.pathname === kv && req.method === "GET") {
        const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 20), this.maxPerPage);
        const page = Number(url.searchParams.get("page") ?? 1);
        const all = [...this.namespaces].map(([id, ns]) => ({ id, title: ns.title, supports_url_encoding: true }));
        return send(200, { success: true, errors: [], result: all.slice((page - 1) * perPage, page * perPage), result_info: { page, per_page: perPage, count: Math.max(0, Math.min(perPage, all.length - (page - 1) * perPage)), total_count: all.length, total_pages: Math.max(1, Math.ceil(all.length / perPage)) } });
      }
      if (url.pathname === kv && req.method === "POST") {
        return void readBody(req).then((text) => {
          const title = (JSON.parse(text) as { title?: string }).title ?? "";
          if ([...this.namespaces.values()].some((ns) => ns.title === title)) return send(400, { success: false, errors: [{ code: 10014, message: "a namespace with this account ID and title already exists" }], result: null });
          const id = randomBytes(16).toString("hex");
          this.namespaces.set(id, { title, values: new Map() });
          send(200, { success: true, errors: [], result: { id, title, supports_url_encoding: true } });
        });
      }
      const value = url.pathname.startsWith(`${kv}/`) ? /^\/([0-9a-f]{32})\/values\/(.+)$/.exec(url.pathname.slice(kv.length)) : null;
      if (value !== null) {
        const ns = this.namespaces.get(value[1]!);
        if (ns === undefined) return send(404, { success: false, errors: [{ code: 10013, message: "get namespace: 'namespace not found'" }], result: null });
        const key = decodeURIComponent(value[2]!);
        if (req.method === "GET") {
          const stored = ns.values.get(key);
          if (stored === undefined) return send(404, { success: false, errors: [{ code: 10009, message: "get: 'key not found'" }], result: null });
          return void res.writeHead(200, { "content-type": "application/octet-stream" }).end(stored);
        }
        if (req.method === "PUT") return void readBody(req).then((text) => (ns.values.set(key, text), send(200, { success: true, errors: [], result: null })));
      }
      const secrets = new RegExp(`^/client/v4/accounts/${this.accountId}/workers/scripts/([^/]+)/secrets$`).exec(url.pathname);
      if (req.method === "GET" && secrets !== null) {
        const names = this.scripts.get(decodeURIComponent(secrets[1]!));
        if (names === undefined) return send(404, { success: false, errors: [{ code: 10007, message: "This Worker does not exist on your account." }], result: null });
        return send(200, { success: true, errors: [], result: [...names].map((name) => ({ name, type: "secret_text" })) });
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
