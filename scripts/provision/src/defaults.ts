/** Every default of the provisioner, with units in the names. */
export const PROVISION_DEFAULTS = Object.freeze({
  /** Client-side throttle for Management API calls (free tenants sustain about 2/s), in requests per second. */
  requestsPerSecond: 2,
  /** Retries of a read (GET) after 429 or 5xx. Writes are retried only after 429 (not processed). */
  maxReadRetries: 5,
  /** Longest single wait before a retry, in milliseconds. */
  maxRetryWaitMs: 60_000,
  /** Page size for list calls (Auth0's maximum), in records. */
  pageSize: 100,
  /** client_metadata marking applications the provisioner owns (Auth0 has no metadata on APIs). */
  ownerKey: "managed_by",
  ownerValue: "edge-mcp",
  /** client_metadata key holding the ecosystem.json client key of an owned application. */
  clientKeyMetadata: "edge_mcp_client",
  /** client_metadata key holding the random nonce of the create request that made an application. */
  createNonceMetadata: "edge_mcp_create",
});
