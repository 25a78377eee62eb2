/** concierge-mcp's identity in its tests (shared by the global setup, the config and the tests). */
export const ORIGIN = "https://concierge-mcp.example.test";
export const RESOURCE = `${ORIGIN}/mcp`;
export const EXCHANGE_CLIENT = { id: "concierge-exchange", secret: "concierge-exchange-secret-0123456789" };
export const CONNECT_CLIENT = { id: "concierge-connect", secret: "concierge-connect-secret-0123456789" };
export const REQUEST_STATE_KEY = "concierge-test-request-state-key-0123456789";
export const PROVIDER_CLIENT = { id: "auth0-github", secret: "auth0-github-secret-0123456789" };
