/** The console's identity in tests (shared by the global setup, the config and the tests). */
export const CONSOLE_ORIGIN = "https://console.example.test";
export const CONSOLE_AUDIENCE = `${CONSOLE_ORIGIN}/`;
export const CONSOLE_CLIENT_ID = "edge-mcp-console";
export const CONSOLE_CLIENT_SECRET = "console-test-client-secret-0123456789";
export const CONSOLE_SESSION_KEY = "console-test-session-key-0123456789abcdef";
