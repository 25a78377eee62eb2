/**
 * A faithful in-memory Auth0 Management API v2 (the parts the provisioner uses), served over
 * loopback HTTP: client-credentials token endpoint, resource servers, clients, client grants and
 * tenant settings, connections (options replaced whole by PATCH), Custom API clients
 * (`app_type: "resource_server"` naming their API, which cannot change), with Auth0's status codes (401, 400 on immutable fields, 404, 409 on
 * duplicates), both pagination styles (offset with include_totals, capped at 1000 records, and
 * checkpoint from/take/next on client grants), 429 with x-ratelimit-* headers on demand, and
 * injected 5xx — optionally after the write happened (the duplicate-client trap).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Obj = Record<string, unknown>;
export interface Injected {
  method: string;
  path: RegExp;
  status: number;
  times: number;
  /** For writes: perform the write, then answer with the error status. */
  afterWrite?: boolean;
}

export class Auth0Fake {
  readonly resourceServers = new Map<string, Obj>();
  readonly clients = new Map<string, Obj>();
  readonly grants = new Map<string, Obj>();
  /** Legacy Rules (deprecated by Auth0; still block strict third-party logins while enabled). */
  readonly rules = new Map<string, Obj>();
  readonly connections = new Map<string, Obj>([
    ["con_1", { id: "con_1", name: "Username-Password-Authentication", strategy: "auth0", is_domain_connection: false }],
    ["con_2", { id: "con_2", name: "google-oauth2", strategy: "google-oauth2", is_domain_connection: false }],
    ["con_3", { id: "con_3", name: "github", strategy: "github", is_domain_connection: false, options: { client_id: "gh-app", scope: ["read:user"] } }],
  ]);
  tenant: Obj = { friendly_name: "Fake tenant", flags: { enable_dynamic_client_registration: false, some_other_flag: true } };
  readonly calls: Array<{ method: string; path: string; status: number }> = [];
  readonly injected: Injected[] = [];
  /** 429s to answer before anything else, with a reset this many seconds ahead. */
  rateLimited = 0;
  resetInSeconds = 1;
  private tokens = new Set<string>();
  private seq = 0;
  private server: Server | undefined;
  domain = "";
  /**
   * Whether the tenant's My Account API is activated (a dashboard action): Auth0 then lists it among
   * the resource servers as a system API (`https://{domain}/me/`), and client grants may name it.
   */
  myAccountApi = true;

  readonly mgmtClientId = "mgmt-client";
  readonly mgmtClientSecret = "mgmt-secret-value-never-printed";

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.domain = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.domain;
  }

  /** The system APIs Auth0 lists beside the tenant's own (not editable through this API). */
  private systemApis(): Obj[] {
    return this.myAccountApi ? [{ id: "rs_my_account", name: "Auth0 My Account API", identifier: `https://${this.domain}/me/`, is_system: true, scopes: [{ value: "create:me:connected_accounts" }, { value: "read:me:connected_accounts" }] }] : [];
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  get writes(): number {
    return this.calls.filter((c) => c.method !== "GET" && !c.path.startsWith("/oauth/")).length;
  }

  get managementCalls(): number {
    return this.calls.filter((c) => c.path.startsWith("/api/v2/")).length;
  }

  private id(prefix: string) {
    this.seq += 1;
    return `${prefix}_${String(this.seq).padStart(6, "0")}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", `http://${this.domain}`);
    const method = req.method ?? "GET";
    let body: Obj = {};
    let raw = "";
    for await (const chunk of req) raw += String(chunk);
    if (raw !== "") {
      try {
        body = JSON.parse(raw) as Obj;
      } catch {
        body = Object.fromEntries(new URLSearchParams(raw));
      }
    }
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      this.calls.push({ method, path: url.pathname, status });
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    const error = (status: number, errorCode: string, message: string) => send(status, { statusCode: status, error: errorCode, message, errorCode });

    if (url.pathname === "/oauth/token" && method === "POST") {
      if (body.client_id !== this.mgmtClientId || body.client_secret !== this.mgmtClientSecret) return error(401, "access_denied", "Unauthorized");
      if (body.audience !== `https://${this.domain}/api/v2/`) return error(403, "access_denied", "Service not enabled within domain");
      const token = `mgmt-token-${this.id("t")}`;
      this.tokens.add(token);
      return send(200, { access_token: token, token_type: "Bearer", expires_in: 86400, scope: "read:clients" });
    }
    if (!url.pathname.startsWith("/api/v2/")) return error(404, "Not Found", "Not found");
    const auth = req.headers.authorization ?? "";
    if (!this.tokens.has(auth.replace(/^Bearer /, ""))) return error(401, "Unauthorized", "Invalid token");
    if (this.rateLimited > 0) {
      this.rateLimited -= 1;
      const reset = Math.ceil(Date.now() / 1000) + this.resetInSeconds;
      return send(429, { statusCode: 429, error: "Too Many Requests", message: "Global limit has been reached" }, {
        "x-ratelimit-limit": "2",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": String(reset),
      });
    }
    const injected = this.injected.find((i) => i.times > 0 && i.method === method && i.path.test(url.pathname));
    if (injected !== undefined && !injected.afterWrite) {
      injected.times -= 1;
      return error(injected.status, "Internal Server Error", "Injected failure");
    }
    const respond = (status: number, payload?: unknown) => {
      if (injected !== undefined && injected.afterWrite) {
        injected.times -= 1;
        return error(injected.status, "Internal Server Error", "Injected failure after write");
      }
      return send(status, payload);
    };
    const segments = url.pathname.slice("/api/v2/".length).split("/").map(decodeURIComponent);
    const [collection, id, action] = segments;
    if (method === "POST" && collection === "clients" && id === "cimd" && action === "register") {
      // POST /clients/cimd/register: an idempotent upsert keyed on the document URL (201 / 200).
      const url = typeof body.external_client_id === "string" ? body.external_client_id : "";
      if (!/^https:\/\/[^/]+\/.+/.test(url)) return error(400, "Bad Request", "external_client_id must be an absolute https URL with a path");
      if (this.tenant.client_id_metadata_document_supported !== true) return error(403, "Forbidden", "Client ID Metadata Document support is not enabled for this tenant");
      const existing = [...this.clients.values()].find((c) => c.external_client_id === url);
      const client = existing ?? {
        client_id: `tpc_${this.id("cimd")}`,
        name: new URL(url).host,
        app_type: "native",
        is_first_party: false,
        third_party_security_mode: "strict",
        external_client_id: url,
        external_metadata_type: "cimd",
        external_metadata_created_by: "admin",
        token_endpoint_auth_method: "none",
      };
      this.clients.set(String(client.client_id), client);
      return respond(existing === undefined ? 201 : 200, { client_id: client.client_id, mapped_fields: { external_client_id: url, name: client.name }, validation: { valid: true, violations: [], warnings: [] } });
    }
    if (method === "POST" && collection === "clients" && action === "rotate-secret") {
      const client = this.clients.get(id!);
      if (client === undefined) return error(404, "Not Found", "The client does not exist");
      client.client_secret = `secret-${id}-rotated-${Math.random().toString(36).slice(2)}`;
      return respond(200, client);
    }
    if (action !== undefined) return error(404, "Not Found", `No route ${method} ${url.pathname}`);
    switch (`${method} ${collection}${id === undefined ? "" : "/:id"}`) {
      case "GET resource-servers":
        return this.offsetPage(url, [...this.systemApis(), ...this.resourceServers.values()], "resource_servers", send);
      case "POST resource-servers": {
        if (typeof body.identifier !== "string" || typeof body.name !== "string") return error(400, "Bad Request", "Payload validation error: 'Missing required property: identifier'");
        if ([...this.resourceServers.values()].some((r) => r.identifier === body.identifier)) return error(409, "Conflict", "A resource server with the same identifier already exists");
        const rs = { id: this.id("rs"), scopes: [], signing_alg: "RS256", token_dialect: "access_token", ...body };
        this.resourceServers.set(rs.id as string, rs);
        return respond(201, rs);
      }
      case "GET resource-servers/:id":
      case "PATCH resource-servers/:id":
      case "DELETE resource-servers/:id": {
        const rs = this.resourceServers.get(id!) ?? [...this.resourceServers.values()].find((r) => r.identifier === id);
        if (rs === undefined) return error(404, "Not Found", "Resource server not found");
        if (method === "GET") return send(200, rs);
        if (method === "DELETE") {
          this.resourceServers.delete(rs.id as string);
          return respond(204);
        }
        if ("identifier" in body) return error(400, "Bad Request", "Payload validation error: 'Additional properties not allowed: identifier'");
        Object.assign(rs, body);
        return respond(200, rs);
      }
      case "GET rules":
        return this.offsetPage(url, [...this.rules.values()], "rules", send);
      case "GET clients":
        return this.offsetPage(url, [...this.clients.values()], "clients", send);
      case "POST clients": {
        if (typeof body.name !== "string") return error(400, "Bad Request", "Payload validation error: 'Missing required property: name'");
        const metadata = (body.client_metadata ?? {}) as Obj;
        if (Object.keys(metadata).length > 10 || Object.values(metadata).some((v) => typeof v !== "string" || v.length > 255)) {
          return error(400, "Bad Request", "client_metadata: at most 10 string keys of at most 255 characters");
        }
        // A Custom API client (Auth0: the client that exchanges tokens for its API) names its API, once.
        if (body.app_type === "resource_server" && typeof body.resource_server_identifier !== "string") return error(400, "Bad Request", "Payload validation error: 'resource_server_identifier is required for app_type resource_server'");
        if (body.app_type !== "resource_server" && "resource_server_identifier" in body) return error(400, "Bad Request", "Payload validation error: 'resource_server_identifier is only allowed for app_type resource_server'");
        const clientId = this.id("client");
        const confidential = body.token_endpoint_auth_method !== "none";
        const client = { client_id: clientId, is_first_party: true, ...body, ...(confidential ? { client_secret: `secret-${clientId}-${Math.random().toString(36).slice(2)}` } : {}) };
        this.clients.set(clientId, client);
        return respond(201, client);
      }
      case "GET clients/:id":
      case "PATCH clients/:id":
      case "DELETE clients/:id": {
        const client = this.clients.get(id!);
        if (client === undefined) return error(404, "Not Found", "The client does not exist");
        if (method === "GET") return send(200, client);
        if (method === "DELETE") {
          this.clients.delete(id!);
          for (const [gid, g] of this.grants) if (g.client_id === id) this.grants.delete(gid);
          return respond(204);
        }
        if ("client_id" in body || "client_secret" in body) return error(400, "Bad Request", "Payload validation error: 'Additional properties not allowed'");
        if ("resource_server_identifier" in body && body.resource_server_identifier !== client.resource_server_identifier) return error(400, "Bad Request", "resource_server_identifier cannot be changed");
        Object.assign(client, body);
        return respond(200, client);
      }
      case "GET client-grants": {
        const all = [...this.grants.values()].filter((g) => (url.searchParams.get("audience") ?? g.audience) === g.audience);
        if (url.searchParams.has("take") || url.searchParams.has("from")) return this.checkpointPage(url, all, send);
        return this.offsetPage(url, all, "client_grants", send);
      }
      case "POST client-grants": {
        if (typeof body.audience !== "string" || !Array.isArray(body.scope)) return error(400, "Bad Request", "Payload validation error");
        if (typeof body.client_id === "string" && !this.clients.has(body.client_id)) return error(404, "Not Found", "Client not found");
        if (![...this.systemApis(), ...this.resourceServers.values()].some((r) => r.identifier === body.audience)) return error(404, "Not Found", "No resource server found for the specified audience");
        const subjectType = body.subject_type ?? "client";
        if ([...this.grants.values()].some((g) => g.client_id === body.client_id && g.audience === body.audience && (g.subject_type ?? "client") === subjectType)) {
          return error(409, "Conflict", "A client grant for this client and audience already exists");
        }
        const grant = { id: this.id("cgr"), subject_type: subjectType, ...body };
        this.grants.set(grant.id as string, grant);
        return respond(201, grant);
      }
      case "PATCH client-grants/:id":
      case "DELETE client-grants/:id": {
        const grant = this.grants.get(id!);
        if (grant === undefined) return error(404, "Not Found", "Client grant not found");
        if (method === "DELETE") {
          this.grants.delete(id!);
          return respond(204);
        }
        for (const field of ["audience", "client_id", "subject_type"]) {
          if (field in body) return error(400, "Bad Request", `Payload validation error: 'Additional properties not allowed: ${field}'`);
        }
        Object.assign(grant, body);
        return respond(200, grant);
      }
      case "GET connections": {
        const all = [...this.connections.values()];
        if (url.searchParams.has("take") || url.searchParams.has("from")) {
          const take = Math.min(Number(url.searchParams.get("take") ?? 50), 100);
          const from = url.searchParams.get("from");
          const start = from === null ? 0 : Math.max(0, all.findIndex((c) => c.id === from));
          const next = all[start + take];
          return send(200, { connections: all.slice(start, start + take), ...(next === undefined ? {} : { next: next.id }) });
        }
        return this.offsetPage(url, all, "connections", send);
      }
      case "PATCH connections/:id": {
        const connection = this.connections.get(id!);
        if (connection === undefined) return error(404, "Not Found", "The connection does not exist");
        if ("name" in body || "strategy" in body) return error(400, "Bad Request", "Payload validation error: 'Additional properties not allowed'");
        Object.assign(connection, body);
        return respond(200, connection);
      }
      case "GET tenants/:id":
        return id === "settings" ? send(200, this.tenant) : error(404, "Not Found", "Not found");
      case "PATCH tenants/:id": {
        if (id !== "settings") return error(404, "Not Found", "Not found");
        // Auth0 replaces `flags` with what is sent unless the caller merged it: read-modify-write.
        this.tenant = { ...this.tenant, ...body };
        return respond(200, this.tenant);
      }
      default:
        return error(404, "Not Found", `No route ${method} ${url.pathname}`);
    }
  }

  private offsetPage(url: URL, all: Obj[], key: string, send: (s: number, p: unknown) => void) {
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 50), 100);
    const page = Number(url.searchParams.get("page") ?? 0);
    if ((page + 1) * perPage > 1000 && page * perPage >= 1000) return send(400, { statusCode: 400, message: "You can only page through the first 1000 records" });
    const items = all.slice(page * perPage, (page + 1) * perPage);
    if (url.searchParams.get("include_totals") === "true") return send(200, { [key]: items, start: page * perPage, limit: perPage, total: all.length });
    return send(200, items);
  }

  private checkpointPage(url: URL, all: Obj[], send: (s: number, p: unknown) => void) {
    const take = Math.min(Number(url.searchParams.get("take") ?? 50), 100);
    const from = url.searchParams.get("from");
    const start = from === null ? 0 : all.findIndex((g) => g.id === from);
    const items = all.slice(Math.max(start, 0), Math.max(start, 0) + take);
    const nextItem = all[Math.max(start, 0) + take];
    return send(200, { client_grants: items, ...(nextItem === undefined ? {} : { next: nextItem.id }) });
  }
}
