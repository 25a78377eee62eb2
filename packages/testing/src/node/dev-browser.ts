/**
 * Plays the user's browser through an authorization request on the local authorization
 * server: follows redirects with a cookie jar, clicks "Sign in and allow" (or "Deny") on the
 * dev consent page, and returns the final redirect to the client's redirect_uri.
 */
export async function approveInBrowser(authorizationUrl: string | URL, { decision = "approve", maxSteps = 10 } = {}): Promise<URL> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  };
  let url = new URL(authorizationUrl);
  const authorizationServer = url.origin;
  let init: RequestInit = { method: "GET" };
  for (let step = 0; step < maxSteps; step++) {
    const res = await fetch(url, { ...init, redirect: "manual", headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader() } });
    remember(res);
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
    init = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: url.origin }, body: `decision=${decision}` };
  }
  throw new Error(`no redirect back to the client after ${maxSteps} steps`);
}
