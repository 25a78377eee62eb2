/** One error family for the provisioner: a stable `code` and a message that says what to do next. */
export type ProvisionErrorCode = "env_invalid" | "config_invalid" | "auth0_error" | "cloudflare_error" | "hostname_taken" | "confirmation_required" | "network_error" | "ownership_conflict" | "secrets_missing";

export class ProvisionError extends Error {
  override readonly name = "ProvisionError";
  readonly code: ProvisionErrorCode;
  constructor(code: ProvisionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
