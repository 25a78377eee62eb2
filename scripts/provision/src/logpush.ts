import type { Operations } from "@edge-mcp/config";
import type { FetchLike } from "./api-fetch.ts";
import { cloudflareCall, type CloudflareAccount, type Envelope } from "./cloudflare.ts";
import { ProvisionError } from "./errors.ts";

/** The one Logpush job edge-mcp owns, by name: a job of any other name is never read into a plan, changed or removed. */
export const LOGPUSH_JOB_NAME = "edge-mcp-audit";

/** Workers trace events: each invocation's console lines (the audit lines), outcome and exceptions. */
export const LOGPUSH_DATASET = "workers_trace_events";

/** The trace-event fields pushed: what an audit reader needs, nothing about the request's headers. */
export const LOGPUSH_FIELDS = Object.freeze(["EventTimestampMs", "ScriptName", "Outcome", "Logs", "Exceptions", "EventType"]);

/** The .env names of a destination's credentials: they go into `destination_conf`, and nowhere else. */
export const LOGPUSH_SECRETS = Object.freeze({ r2AccessKeyId: "LOGPUSH_R2_ACCESS_KEY_ID", r2SecretAccessKey: "LOGPUSH_R2_SECRET_ACCESS_KEY", httpAuthorization: "LOGPUSH_HTTP_AUTHORIZATION" });

/** Query parameters of a destination_conf that hold credentials (R2 keys, HTTP headers): never compared, printed or returned. */
const SECRET_PARAMS = /^(access-key-id|secret-access-key|header_.*)$/i;

export interface LogpushJob {
  readonly id?: number;
  readonly name: string;
  readonly dataset: string;
  readonly enabled: boolean;
  readonly destination_conf: string;
  /** Logpush's filter language, as a JSON string. */
  readonly filter: string;
  readonly output_options: { readonly output_type: "ndjson"; readonly field_names: readonly string[] };
}

export type LogpushAction = "created" | "updated" | "unchanged" | "would create" | "would update";

export interface LogpushResult {
  readonly job: string;
  readonly action: LogpushAction;
  readonly id: number | null;
  /** The destination without its credentials, as the plan prints it. */
  readonly destination: string;
}

/** The job the config asks for: the fleet's workers' trace events to the configured destination. */
export function desiredLogpushJob(audit: NonNullable<Operations["audit"]>, workers: readonly string[], accountId: string, secrets: Readonly<Record<string, unknown>>): LogpushJob {
  let destination: string;
  if (audit.destination === "r2") {
    const keyId = secrets[LOGPUSH_SECRETS.r2AccessKeyId] as string | undefined;
    const secret = secrets[LOGPUSH_SECRETS.r2SecretAccessKey] as string | undefined;
    if (keyId === undefined || secret === undefined) {
      throw new ProvisionError("config_invalid", `ecosystem.json operations.audit sends the audit to R2 bucket "${audit.bucket}": set ${LOGPUSH_SECRETS.r2AccessKeyId} and ${LOGPUSH_SECRETS.r2SecretAccessKey} in .env (an R2 API token with Object Read & Write on that bucket).`);
    }
    const query = new URLSearchParams({ "account-id": accountId, "access-key-id": keyId, "secret-access-key": secret });
    destination = `r2://${audit.bucket}/${audit.path}?${query.toString()}`;
  } else {
    const authorization = secrets[LOGPUSH_SECRETS.httpAuthorization] as string | undefined;
    // Logpush sends a destination's headers from `header_<Name>` query parameters (percent-encoded: never `+` for a space).
    const header = authorization === undefined ? "" : `header_Authorization=${encodeURIComponent(authorization)}`;
    destination = header === "" ? audit.url : `${audit.url}${audit.url.includes("?") ? "&" : "?"}${header}`;
  }
  return {
    name: LOGPUSH_JOB_NAME,
    dataset: LOGPUSH_DATASET,
    enabled: true,
    destination_conf: destination,
    filter: JSON.stringify({ where: { key: "ScriptName", operator: "in", value: [...workers].sort() } }),
    output_options: { output_type: "ndjson", field_names: [...LOGPUSH_FIELDS] },
  };
}

/** A destination with its credentials taken out: what is compared, planned and printed. */
export function redactDestination(destination: string): string {
  const at = destination.indexOf("?");
  if (at < 0) return destination;
  const query = new URLSearchParams(destination.slice(at + 1));
  for (const key of [...query.keys()]) if (SECRET_PARAMS.test(key)) query.delete(key);
  const rest = query.toString();
  return `${destination.slice(0, at)}${rest === "" ? "" : `?${rest}`}`;
}

/** Whether a job already does what the desired one would (credentials aside: the API may not return them). */
function sameJob(current: LogpushJob, desired: LogpushJob): boolean {
  const fields = (job: LogpushJob) => JSON.stringify([job.enabled, redactDestination(job.destination_conf), job.filter, job.output_options?.output_type, [...(job.output_options?.field_names ?? [])].sort()]);
  return fields(current) === fields(desired);
}

function refused(what: string, status: number, body: Envelope<unknown>): ProvisionError {
  return new ProvisionError("cloudflare_error", `Cloudflare refused ${what} (HTTP ${status}${body.errors?.[0] ? `: ${body.errors[0].message}` : ""}); check that CLOUDFLARE_API_TOKEN has Account Logs:Edit on CLOUDFLARE_ACCOUNT_ID (Logpush needs the Workers Paid plan).`);
}

/**
 * Finds the `edge-mcp-audit` job and makes it match the config: created when missing, updated
 * when it differs, left alone when it matches (a re-run makes 0 writes); with `dryRun`, reads only.
 */
export async function reconcileLogpushJob(fetchImpl: FetchLike, account: CloudflareAccount, desired: LogpushJob, dryRun: boolean): Promise<LogpushResult> {
  const listed = await cloudflareCall<LogpushJob[]>(fetchImpl, account, "/logpush/jobs");
  if (listed.status !== 200 || listed.body.success === false) throw refused("the Logpush job listing", listed.status, listed.body);
  const current = (listed.body.result ?? []).find((job) => job.name === LOGPUSH_JOB_NAME);
  const destination = redactDestination(desired.destination_conf);
  if (current !== undefined && current.dataset !== desired.dataset) {
    throw new ProvisionError("config_invalid", `The Logpush job "${LOGPUSH_JOB_NAME}" (id ${current.id}) pushes the ${current.dataset} dataset, and a job's dataset cannot change: delete that job in the Cloudflare dashboard, then run again.`);
  }
  if (current !== undefined && sameJob(current, desired)) return { job: LOGPUSH_JOB_NAME, action: "unchanged", id: current.id ?? null, destination };
  if (dryRun) return { job: LOGPUSH_JOB_NAME, action: current === undefined ? "would create" : "would update", id: current?.id ?? null, destination };
  const json = { "content-type": "application/json" };
  if (current === undefined) {
    const created = await cloudflareCall<LogpushJob>(fetchImpl, account, "/logpush/jobs", { method: "POST", headers: json, body: JSON.stringify(desired) });
    if (created.status !== 200 || created.body.success === false) throw refused(`creating the Logpush job "${LOGPUSH_JOB_NAME}"`, created.status, created.body);
    return { job: LOGPUSH_JOB_NAME, action: "created", id: created.body.result?.id ?? null, destination };
  }
  const { name: _name, dataset: _dataset, ...changes } = desired;
  const updated = await cloudflareCall<LogpushJob>(fetchImpl, account, `/logpush/jobs/${current.id}`, { method: "PUT", headers: json, body: JSON.stringify(changes) });
  if (updated.status !== 200 || updated.body.success === false) throw refused(`updating the Logpush job "${LOGPUSH_JOB_NAME}"`, updated.status, updated.body);
  return { job: LOGPUSH_JOB_NAME, action: "updated", id: current.id ?? null, destination };
}
