/**
 * The OAuth library's own outbound fetches (Client ID Metadata Documents; it names itself in their
 * User-Agent) never follow a redirect: draft-ietf-oauth-client-id-metadata-document §5 (-02) takes
 * a document only from a `200` at its own URL, and a redirect would take the fetch wherever its
 * publisher likes — past the SSRF guard, which looked at the first URL only (cimd-guard.ts). A 3xx
 * reaches the library as it is, which refuses it as an error status. Every other fetch is untouched.
 */
const LIBRARY_AGENT = /^workers-oauth-provider\//;

let installed = false;

export function refuseLibraryRedirects(): void {
  if (installed) return;
  installed = true;
  const original = globalThis.fetch;
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    if (!LIBRARY_AGENT.test(request.headers.get("user-agent") ?? "")) return original(request);
    return original(new Request(request, { redirect: "manual" }));
  }) as typeof fetch;
}
