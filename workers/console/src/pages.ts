/** Every page refuses framing and inline code; scripts and styles come from the console's own assets. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
});

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · edge-mcp console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console.css">
</head>
<body>
${body}
</body>
</html>`;
}

/** A short page that says what happened and what to do next (sign-in failures, refusals). */
export function messagePage(status: number, title: string, detail: string, headers: Record<string, string> = {}): Response {
  const body = `<main class="message"><h1>${escape(title)}</h1><p>${escape(detail)}</p><p><a href="/login">Sign in</a></p></main>`;
  return new Response(layout(title, body), { status, headers: { ...PAGE_HEADERS, ...headers } });
}

/**
 * The console itself: a shell the script fills from the console's API (same origin, the session
 * cookie), each chart with a table of the same numbers for screen readers and keyboard users.
 */
export function consolePage(operator: string): Response {
  const body = `<a class="skip" href="#main">Skip to content</a>
<header class="bar">
  <h1>edge-mcp fleet</h1>
  <p class="who">Signed in as <strong>${escape(operator)}</strong></p>
  <form method="post" action="/logout"><button type="submit">Sign out</button></form>
</header>
<main id="main">
  <section aria-labelledby="health-title">
    <h2 id="health-title">Health</h2>
    <div id="auth-server" class="status-line" role="status">Checking the authorization server…</div>
    <ul id="servers" class="cards"></ul>
  </section>
  <section aria-labelledby="traffic-title">
    <h2 id="traffic-title">Calls</h2>
    <form id="scope" class="filters">
      <label>Range <select name="range"><option value="1h">last hour</option><option value="6h">6 hours</option><option value="24h">24 hours</option></select></label>
      <label>Server <select name="server"><option value="">all</option></select></label>
      <label>Tool <select name="tool"><option value="">all</option></select></label>
    </form>
    <div class="charts">
      <figure><figcaption>Calls and errors</figcaption><canvas id="calls-chart" role="img" aria-label="Calls and errors over time"></canvas></figure>
      <figure><figcaption>Latency p50 / p95 (ms)</figcaption><canvas id="latency-chart" role="img" aria-label="Latency percentiles over time"></canvas></figure>
      <figure><figcaption>Denied calls by cause</figcaption><canvas id="denials-chart" role="img" aria-label="Denied calls by cause"></canvas></figure>
    </div>
    <h3>By tool</h3>
    <div class="table-wrap" tabindex="0" aria-label="Calls by tool"><table id="tools"><thead><tr><th scope="col">Server</th><th scope="col">Tool</th><th scope="col">Calls</th><th scope="col">Error rate</th><th scope="col">p50 ms</th><th scope="col">p95 ms</th></tr></thead><tbody></tbody></table></div>
  </section>
  <section aria-labelledby="recent-title">
    <h2 id="recent-title">Recent calls</h2>
    <form id="recent-filters" class="filters">
      <label>User <input name="user" autocomplete="off" placeholder="auth0|…"></label>
      <label>Tool <input name="tool" autocomplete="off"></label>
      <label>Outcome <select name="outcome"><option value="">any</option><option>ok</option><option>error</option><option>denied</option><option>rate_limited</option></select></label>
      <label>Trace id <input name="trace" autocomplete="off" pattern="[0-9a-f]{32}"></label>
      <button type="submit">Filter</button>
    </form>
    <div class="table-wrap" tabindex="0" aria-label="Recent calls"><table id="recent"><thead><tr><th scope="col">Time</th><th scope="col">Server</th><th scope="col">Tool</th><th scope="col">Outcome</th><th scope="col">Cause</th><th scope="col">Latency</th><th scope="col">Caller</th><th scope="col">Trace</th></tr></thead><tbody></tbody></table></div>
  </section>
</main>
<script src="/console.js" defer></script>`;
  return new Response(layout("Fleet", body), { headers: PAGE_HEADERS });
}
