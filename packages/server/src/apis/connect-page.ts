/** The connect flow's pages: short, unframeable, no script — what happened and what to do next. */
const HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function connectPage(status: number, title: string, detail: string, extra?: Headers): Response {
  const headers = new Headers(HEADERS);
  for (const [k, v] of extra ?? []) headers.append(k, v);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title><style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}</style></head><body><h1>${escape(title)}</h1><p>${escape(detail)}</p></body></html>`;
  return new Response(html, { status, headers });
}
