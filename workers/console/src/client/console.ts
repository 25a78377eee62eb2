/**
 * The console page's script (bundled by build-client.mjs into public/console.js): reads the
 * console's API with the session cookie and draws the fleet — charts with Chart.js, every number
 * also in a table. Sent to sign in again when the session ends.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from "chart.js";

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

type Json = Record<string, unknown>;
interface SeriesPoint { t: number; calls: number; errors: number; p50: number | null; p95: number | null }
interface ToolRow { server: string; tool: string; calls: number; errors: number; p50: number; p95: number }
interface CallRow { time: number; server: string; tool: string; outcome: string; cause: string; latencyMs: number; caller: string; traceId: string; kind: string; method: string }

const $ = <T extends Element>(selector: string) => document.querySelector(selector) as T;
const charts = new Map<string, Chart>();

async function api<T>(path: string): Promise<T> {
  const res = await fetch(path, { credentials: "same-origin", headers: { accept: "application/json" } });
  if (res.status === 401) {
    location.assign("/login");
    throw new Error("signed out");
  }
  const body = (await res.json()) as T & { message?: string };
  if (!res.ok) throw new Error(body.message ?? `HTTP ${res.status}`);
  return body;
}

function cell(row: HTMLTableRowElement, text: string, className?: string) {
  const td = row.insertCell();
  td.textContent = text;
  if (className !== undefined) td.className = className;
}

function fill(table: string, rows: readonly string[][], empty: string, classes: (row: string[]) => Array<string | undefined> = () => []) {
  const body = $<HTMLTableElement>(table).tBodies[0]!;
  body.replaceChildren();
  if (rows.length === 0) {
    const row = body.insertRow();
    const td = row.insertCell();
    td.colSpan = $<HTMLTableElement>(table).tHead!.rows[0]!.cells.length;
    td.textContent = empty;
    return;
  }
  for (const values of rows) {
    const row = body.insertRow();
    const cls = classes(values);
    values.forEach((v, i) => cell(row, v, cls[i]));
  }
}

function draw(id: string, type: "line" | "bar", labels: string[], datasets: Array<{ label: string; data: Array<number | null>; color: string }>) {
  const config = { type, data: { labels, datasets: datasets.map((d) => ({ label: d.label, data: d.data, borderColor: d.color, backgroundColor: d.color, tension: 0.2, pointRadius: 0, spanGaps: false })) }, options: { responsive: true, maintainAspectRatio: false, animation: false as const, scales: { y: { beginAtZero: true } } } };
  const existing = charts.get(id);
  if (existing !== undefined) {
    existing.data = config.data;
    existing.update();
    return;
  }
  charts.set(id, new Chart($<HTMLCanvasElement>(`#${id}`), config));
}

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

async function loadOverview() {
  const data = await api<{ authorizationServer: { issuer: string; reachable: boolean; latencyMs: number | null }; servers: Array<Json & { slug: string; status: string; backends?: Record<string, Json> }>; source: string }>("/api/overview");
  const as = data.authorizationServer;
  const line = $<HTMLElement>("#auth-server");
  line.textContent = `Authorization server ${as.issuer}: ${as.reachable ? `reachable (${as.latencyMs} ms)` : "NOT reachable"} · data from ${data.source === "local" ? "the local store (npm run dev)" : "Analytics Engine"}`;
  line.dataset.state = as.reachable ? "ok" : "down";
  const list = $<HTMLUListElement>("#servers");
  list.replaceChildren(
    ...data.servers.map((s) => {
      const item = document.createElement("li");
      item.className = `card state-${s.status}`;
      const title = document.createElement("h3");
      title.textContent = `${s.slug} — ${s.status}`;
      const meta = document.createElement("p");
      meta.textContent = [s.transport, s.version === undefined ? undefined : `v${String(s.version)}`, s.authorizationServerReachable === false ? "cannot reach the authorization server" : undefined].filter(Boolean).join(" · ");
      item.append(title, meta);
      if (s.backends !== undefined) {
        const backends = document.createElement("ul");
        backends.className = "backends";
        backends.setAttribute("aria-label", `${s.slug} backends`);
        for (const [name, b] of Object.entries(s.backends)) {
          const li = document.createElement("li");
          li.textContent = `${name}: ${String(b.status)}${b.tools === null || b.tools === undefined ? "" : `, ${String(b.tools)} tools`}${b.latencyMs === null || b.latencyMs === undefined ? "" : `, ${String(b.latencyMs)} ms`}`;
          backends.append(li);
        }
        item.append(backends);
      }
      return item;
    }),
  );
  const serverSelect = $<HTMLSelectElement>('#scope select[name="server"]');
  const chosen = serverSelect.value;
  serverSelect.replaceChildren(new Option("all", ""), ...data.servers.map((s) => new Option(String(s.name ?? s.slug), String(s.name ?? s.slug))));
  serverSelect.value = chosen;
}

async function loadMetrics() {
  const params = new URLSearchParams(new FormData($<HTMLFormElement>("#scope")) as unknown as Record<string, string>);
  const data = await api<{ series: SeriesPoint[]; tools: ToolRow[]; denials: Array<{ cause: string; count: number }> }>(`/api/metrics?${params}`);
  const labels = data.series.map((p) => time(p.t));
  draw("calls-chart", "line", labels, [{ label: "calls", data: data.series.map((p) => p.calls), color: "#2563eb" }, { label: "errors", data: data.series.map((p) => p.errors), color: "#dc2626" }]);
  draw("latency-chart", "line", labels, [{ label: "p50", data: data.series.map((p) => p.p50), color: "#059669" }, { label: "p95", data: data.series.map((p) => p.p95), color: "#d97706" }]);
  draw("denials-chart", "bar", data.denials.map((d) => d.cause), [{ label: "denied", data: data.denials.map((d) => d.count), color: "#7c3aed" }]);
  fill("#tools", data.tools.map((t) => [t.server, t.tool, String(t.calls), `${t.calls === 0 ? 0 : Math.round((t.errors / t.calls) * 1000) / 10}%`, String(t.p50), String(t.p95)]), "No tool calls in this range.");
  const toolSelect = $<HTMLSelectElement>('#scope select[name="tool"]');
  const chosen = toolSelect.value;
  const names = [...new Set(data.tools.map((t) => t.tool))].sort();
  toolSelect.replaceChildren(new Option("all", ""), ...names.map((n) => new Option(n, n)));
  if (names.includes(chosen)) toolSelect.value = chosen;
}

async function loadCalls() {
  const params = new URLSearchParams(new FormData($<HTMLFormElement>("#recent-filters")) as unknown as Record<string, string>);
  const data = await api<{ calls: CallRow[] }>(`/api/calls?${params}`);
  fill(
    "#recent",
    data.calls.map((c) => [new Date(c.time).toLocaleTimeString(), c.server, c.tool || c.method || "—", c.outcome, c.cause || "", `${c.latencyMs} ms`, c.caller, c.traceId || ""]),
    "No calls match.",
    (row) => [undefined, undefined, undefined, `outcome-${row[3]}`],
  );
}

function report(error: unknown) {
  const line = $<HTMLElement>("#auth-server");
  if (error instanceof Error && error.message !== "signed out") line.textContent = `Could not load: ${error.message}`;
}

function refresh() {
  void loadOverview().catch(report);
  void loadMetrics().catch(report);
  void loadCalls().catch(report);
}

$<HTMLFormElement>("#scope").addEventListener("change", () => void loadMetrics().catch(report));
$<HTMLFormElement>("#recent-filters").addEventListener("submit", (event) => {
  event.preventDefault();
  void loadCalls().catch(report);
});
refresh();
setInterval(refresh, 15_000);
