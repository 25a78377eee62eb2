/** One origin's cookies, as a browser keeps them. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/**
 * Plays the user's browser through an authorization request on the local authorization
 * server: follows redirects with a cookie jar, clicks "Sign in and allow" (or "Deny") on the
 * dev consent page — as `user` (a dev user's `sub`) when given, else the one it selects — and
 * returns the final redirect to the client's redirect_uri.
 */
export async function approveInBrowser(authorizationUrl: string | URL, { decision = "approve", maxSteps = 10, user }: { decision?: "approve" | "deny"; maxSteps?: number; user?: string } = {}): Promise<URL> {
  const jar = new CookieJar();
  let url = new URL(authorizationUrl);
  const authorizationServer = url.origin;
  let init: RequestInit = { method: "GET" };
  for (let step = 0; step < maxSteps; step++) {
    const res = await fetch(url, { ...init, redirect: "manual", headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
    jar.take(res);
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location !== null) {
      const next = new URL(location, url);
      if (next.origin !== authorizationServer) return next; // back at the client's redirect_uri
      url = next;
      init = { method: "GET" };
      await res.body?.cancel();
      continue;
    }
    const html = await res.text();
    const form = /<form method="post" action="([^"]+)"/.exec(html);
    if (res.status !== 200 || form === null) throw new Error(`unexpected ${res.status} at ${url.pathname}: ${html.slice(0, 200)}`);
    url = new URL(form[1]!, url);
    // A browser sends its page's Origin with a form post; the consent endpoint requires it.
    init = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: url.origin }, body: new URLSearchParams({ decision, ...(user === undefined ? {} : { user }) }).toString() };
  }
  throw new Error(`no redirect back to the client after ${maxSteps} steps`);
}

/**
 * Plays the user's browser through a chain of pages on several origins (a connect link: the
 * server, the authorization server's sign-in, a provider's consent): a cookie jar per origin,
 * redirects followed, and on each page its one form posted — hidden fields, `decision=approve`,
 * and `user` where the page asks who signs in. Returns the first page without a form, or the
 * first page `isFinal` picks. `fetchPage` reaches origins plain `fetch` cannot (a worker in process).
 */
export async function followFormsInBrowser(link: string | URL, options: { user: string; maxSteps?: number; fetchPage?: (request: Request) => Promise<Response>; isFinal?: (url: URL) => boolean }): Promise<{ status: number; html: string; url: URL }> {
  const { user, maxSteps = 16, fetchPage = (request: Request) => fetch(request), isFinal = () => false } = options;
  const jars = new Map<string, CookieJar>();
  let url = new URL(link);
  let init: RequestInit = {};
  for (let step = 0; step < maxSteps; step++) {
    const jar = jars.get(url.origin) ?? new CookieJar();
    jars.set(url.origin, jar);
    const headers = new Headers(init.headers);
    headers.set("cookie", jar.header());
    const res = await fetchPage(new Request(url, { ...init, headers, redirect: "manual" }));
    jar.take(res);
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location !== null) {
      await res.body?.cancel();
      url = new URL(location, url);
      init = {};
      continue;
    }
    const html = await res.text();
    const form = /<form method="post" action="([^"]+)"/.exec(html);
    if (form === null || isFinal(url)) return { status: res.status, html, url };
    const fields = new URLSearchParams([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)))]));
    if (html.includes('name="user"')) fields.set("user", user);
    fields.set("decision", "approve");
    url = new URL(form[1]!.replace(/&amp;/g, "&"), url);
    // A browser sends its page's Origin with a form post.
    init = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: url.origin }, body: fields.toString() };
  }
  throw new Error(`no final page after ${maxSteps} steps`);
}

export interface ConsentPage {
  readonly response: Response;
  readonly html: string;
  readonly handle: string;
  readonly scopes: string[];
}

/** GET the facade's /authorize as a browser: the consent page, its handle and offered scopes. */
export async function openConsent(authorizeUrl: URL, jar: CookieJar): Promise<ConsentPage> {
  const response = await fetch(authorizeUrl, { redirect: "manual", headers: { cookie: jar.header() } });
  jar.take(response);
  const html = await response.text();
  const handle = /name="handle" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const scopes = [...html.matchAll(/name="scope" value="([^"]+)"/g)].map((m) => m[1]!);
  return { response, html, handle, scopes };
}

/** POST the consent form as the page would (handle, ticked scopes, the button pressed). */
export function submitConsent(facade: string, jar: CookieJar, fields: { handle: string; scopes: string[]; decision: "approve" | "deny" }): Promise<Response> {
  const body = new URLSearchParams({ handle: fields.handle, decision: fields.decision });
  for (const s of fields.scopes) body.append("scope", s);
  return fetch(new URL("/authorize", facade), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: new URL(facade).origin, cookie: jar.header() },
    body,
  });
}

/**
 * The whole sign-in a user's browser goes through in facade mode: the facade's consent page
 * (approve), the Auth0 stand-in's sign-in (approve), back to the facade's /callback, and on to
 * the client's redirect URI, which is returned (with `code`, `state`, `iss`).
 */
export async function signInThroughFacade(authorizeUrl: URL): Promise<URL> {
  const facade = authorizeUrl.origin;
  const jar = new CookieJar();
  const page = await openConsent(authorizeUrl, jar);
  if (page.response.status !== 200) throw new Error(`consent page: ${page.response.status} ${page.html.slice(0, 300)}`);
  const toUpstream = await submitConsent(facade, jar, { handle: page.handle, scopes: page.scopes, decision: "approve" });
  jar.take(toUpstream);
  const upstream = toUpstream.headers.get("location");
  if (toUpstream.status !== 302 || upstream === null) throw new Error(`consent answer: ${toUpstream.status} ${await toUpstream.text()}`);
  const callback = await approveInBrowser(upstream);
  if (callback.origin !== facade) throw new Error(`the sign-in came back to ${callback.origin}, not the facade`);
  const back = await fetch(callback, { redirect: "manual", headers: { cookie: jar.header() } });
  const location = back.headers.get("location");
  if (back.status !== 302 || location === null) throw new Error(`facade callback: ${back.status} ${await back.text()}`);
  return new URL(location);
}
