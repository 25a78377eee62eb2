/** Every default of `@edge-mcp/server`, with units in the names. */
export const SERVER_DEFAULTS = Object.freeze({
  /** Largest accepted request body, in bytes (1 MiB). Larger → 413 before parsing. */
  maxBodyBytes: 1_048_576,
  /** An idle stateful session is evicted (storage deleted) after this long, in seconds. */
  sessionIdleTimeoutSeconds: 3_600,
  /** Random bytes in a session id (base64url-encoded: 43 visible ASCII characters). */
  sessionIdBytes: 32,
  /** Live sessions one subject may hold; a new one ends the oldest beyond this, in sessions. */
  maxSessionsPerSubject: 100,
  /** Largest `initialize` request kept in a session's storage (replayed after eviction), in bytes (64 KiB). */
  maxInitializeBytes: 65_536,
  /** How long an MRTR requestState stays valid, in seconds (a user answering an elicitation). */
  requestStateTtlSeconds: 600,
  /** JSON-RPC messages accepted in one batch (2025-03-26 clients still send batches). */
  maxBatchMessages: 32,
  /** SSE keep-alive comment interval on open streams, in milliseconds. */
  sseKeepAliveMs: 15_000,
  /** SSE events a session keeps for resumption (Last-Event-ID), in events. */
  sessionEventBufferSize: 1_000,
  /** Longest JSON-RPC method or tool name written to an audit line, in characters (longer ones are cut). */
  maxAuditNameChars: 128,
  /** `retry:` sent to clients in SSE priming events: reconnect after this long, in milliseconds. */
  sseRetryMs: 1_000,
  /** How long a task (MCP tasks extension) is kept after it was created, in milliseconds (1 h): its `ttlMs`. */
  taskTtlMs: 3_600_000,
  /** How often a client is asked to poll `tasks/get`, in milliseconds: its `pollIntervalMs`. */
  taskPollIntervalMs: 1_000,
  /**
   * Open list-change listeners one subject may hold at once — `subscriptions/listen` streams and
   * 2025 sessions' GET streams — each running the server's feeds (a gateway: one per backend); more
   * are refused (429) until one closes, in listeners.
   */
  maxListenersPerSubject: 10,
  /** How long a listener's place is held without renewal (a lost release frees it then), in milliseconds. */
  listenerLeaseMs: 300_000,
  /** Tasks (MCP tasks extension) one subject may have unfinished at once; more are refused (429) until one ends, in tasks. */
  maxLiveTasksPerSubject: 20,
});

/** The Durable Object binding name a stateful worker's wrangler.toml declares. */
export const SESSION_BINDING = "MCP_SESSION";
