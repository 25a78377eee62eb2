import { createRequestStateCodec, ProtocolError, ProtocolErrorCode, type JSONRPCMessage, type RequestStateCodec, type ServerContext } from "@modelcontextprotocol/server";
import { callerFromAuthInfo } from "../base/caller.ts";
import type { ServerConfig } from "../base/config.ts";
import { SERVER_DEFAULTS } from "../base/defaults.ts";

/** What a tool's `requestState` carries: the tool's own data, under the server's signature. */
interface Envelope {
  readonly data: unknown;
}

export type StateCodec = RequestStateCodec<Envelope>;

/**
 * What each request's states are bound to besides the caller, by the request object the SDK hands
 * its handlers (`ctx.http.req`): per call, never in a (pooled) server.
 */
const bindings = new WeakMap<Request, () => string>();

/** Binds the states minted or verified while serving `request` to its message (method, target, arguments). */
export function bindRequestState(request: Request, message: JSONRPCMessage | undefined): void {
  bindings.set(request, requestBindingOf(message));
}

const codecs = new WeakMap<ServerConfig, StateCodec>();

/**
 * MRTR `requestState` round-trips through the client, so it is attacker-controlled (MCP
 * 2026-07-28 basic/patterns/mrtr, server requirements 4–5): HMAC-SHA256 signed with the Worker
 * secret `MCP_REQUEST_STATE_KEY`, expiring after `SERVER_DEFAULTS.requestStateTtlSeconds`, and
 * bound to this server (its resource URL), to the caller (sub + client) and to the request (method,
 * tool or URI, and its arguments). A state that was tampered with, has expired, is replayed by
 * another caller, on another call or at another server sharing the key is refused by the SDK's verify seam with -32602 before any handler runs.
 * Undefined when the server has no key (then no tool may mint one, and none is accepted). One
 * codec per config: everything it binds comes from the call it serves.
 */
export function requestStateCodecFor(config: ServerConfig): StateCodec | undefined {
  if (config.requestStateKey === undefined) return undefined;
  let codec = codecs.get(config);
  if (codec !== undefined) return codec;
  codec = createRequestStateCodec<Envelope>({
    key: config.requestStateKey,
    ttlSeconds: SERVER_DEFAULTS.requestStateTtlSeconds,
    bind: (ctx) => {
      const caller = callerFromAuthInfo(ctx.http?.authInfo);
      const request = ctx.http?.req;
      const requestBinding = (request === undefined ? undefined : bindings.get(request)) ?? (() => "");
      // The resource first: servers sharing one key (a fleet's one secret) never accept each other's states.
      return [config.resource, caller?.subject ?? "", caller?.clientId ?? "", ctx.mcpReq.method, requestBinding()].join("\u0000");
    },
  });
  codecs.set(config, codec);
  return codec;
}

/**
 * What a state is bound to besides the caller: the method, the tool or URI, and the arguments
 * (their JSON: the binding only ever enters the HMAC, so no separate digest is needed — which
 * would cost every modern request an async hash). Evaluated only when a state is minted or
 * verified.
 */
function requestBindingOf(message: JSONRPCMessage | undefined): () => string {
  let binding: string | undefined;
  return () => {
    if (binding !== undefined) return binding;
    if (message === undefined || !("method" in message)) return (binding = "");
    const params = (message.params ?? {}) as Record<string, unknown>;
    const target = typeof params.name === "string" ? params.name : typeof params.uri === "string" ? params.uri : "";
    return (binding = `${message.method}\u0000${target}\u0000${JSON.stringify(params.arguments ?? null)}`);
  };
}

/** Mint and read a tool's request state (the tool's `extra.requestState`). */
export interface ToolRequestState {
  /** A signed, expiring state for the next round of this call, carrying `data`. */
  mint(data: unknown): Promise<string>;
  /** The data of this round's verified state; undefined when the round carried none. */
  read<T = unknown>(): T | undefined;
}

export function toolRequestState(codec: StateCodec | undefined, ctx: ServerContext): ToolRequestState {
  return {
    async mint(data) {
      if (codec === undefined) throw new ProtocolError(ProtocolErrorCode.InternalError, "This server has no MCP_REQUEST_STATE_KEY: it cannot issue requestState.");
      return codec.mint({ data }, ctx);
    },
    read<T>() {
      // Already verified by the SDK's seam (signature, expiry, binding) before the handler ran.
      const state = ctx.mcpReq.requestState<Envelope | string>();
      return typeof state === "object" && state !== null ? (state.data as T) : undefined;
    },
  };
}
