/**
 * A faithful in-memory Cloudflare API (the parts the provisioner uses) on loopback HTTP:
 * `GET /client/v4/accounts/{account}/workers/domains?hostname=` and `GET /client/v4/zones?name=`,
 * Workers KV namespaces (list, paginated with `result_info`; create, 400 code 10014 for a title
 * taken) and values (GET raw, 404 code 10009 when missing; PUT), a Worker's secret names (GET
 * `/workers/scripts/{name}/secrets`, 404 code 10007 for a Worker not deployed), Logpush jobs
 * (list, create, update: numeric ids, the name pattern, known datasets, an R2 destination's
 * required credentials, a filter that must be JSON, a dataset that cannot change), with Cloudflare's
 * `{ success, errors, result }` envelope, 403 for a bad token and, on demand, 429 with Retry-After.
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
  /** Logpush jobs by id, as the API stores them. */
  readonly logpushJobs = new Map<number, Record<string, unknown>>();
  private nextJobId = 146;
  /** Answer this many next requests 429 (Retry-After: 1), as Cloudflare's API rate limit does. */
  rateLimitNext = 0;
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
      if (this.rateLimitNext > 0) {
        this.rateLimitNext--;
        return void res.writeHead(429, { "content-type": "application/json", "retry-after": "1" }).end(JSON.stringify({ success: false, errors: [{ code: 10429, message: "Rate limited" }], result: null }));
      }
      const jobs = `/client/v4/accounts/${this.accountId}/logpush/jobs`;
      if (url.pathname === jobs || url.pathname.startsWith(`${jobs}/`)) return this.logpush(req, url.pathname.slice(jobs.length), send);
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

  /** `/logpush/jobs[/{id}]`: what the Logpush API checks of a job, in its envelope. */
  private logpush(req: IncomingMessage, rest: string, send: (status: number, body: unknown) => void): void {
    const fail = (status: number, code: number, message: string) => send(status, { success: false, errors: [{ code, message }], messages: [], result: null });
    if (req.method === "GET" && rest === "") return send(200, { success: true, errors: [], messages: [], result: [...this.logpushJobs.values()] });
    const id = /^\/(\d+)$/.exec(rest)?.[1];
    if (!((req.method === "POST" && rest === "") || (req.method === "PUT" && id !== undefined))) return fail(404, 7003, "Could not route");
    void readBody(req).then((text) => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return fail(400, 1001, "invalid JSON");
      }
      const existing = id === undefined ? undefined : this.logpushJobs.get(Number(id));
      if (id !== undefined && existing === undefined) return fail(404, 1003, "job not found");
      const job = { ...existing, ...body };
      if (typeof job.name !== "string" || !/^[a-zA-Z0-9\-.]{0,512}$/.test(job.name)) return fail(400, 1004, "invalid job name");
      if (existing !== undefined && body.dataset !== undefined && body.dataset !== existing.dataset) return fail(400, 1005, "dataset cannot be changed");
      if (!["workers_trace_events", "http_requests", "audit_logs"].includes(String(job.dataset))) return fail(400, 1006, "unknown dataset");
      const destination = String(job.destination_conf ?? "");
      if (destination.startsWith("r2://")) {
        const query = new URLSearchParams(destination.slice(destination.indexOf("?") + 1));
        if (!["account-id", "access-key-id", "secret-access-key"].every((k) => query.has(k))) return fail(400, 1002, "r2 destination requires account-id, access-key-id and secret-access-key");
      } else if (!destination.startsWith("https://")) return fail(400, 1002, "destination not supported");
      if (job.filter !== undefined) {
        try {
          JSON.parse(String(job.filter));
        } catch {
          return fail(400, 1007, "filter is not valid JSON");
        }
      }
      const stored = { id: existing?.id ?? this.nextJobId++, enabled: false, last_complete: null, last_error: null, error_message: null, frequency: null, kind: "", ...job };
      this.logpushJobs.set(stored.id as number, stored);
      send(200, { success: true, errors: [], messages: [], result: stored });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
