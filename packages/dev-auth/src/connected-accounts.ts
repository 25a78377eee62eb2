/**
 * The stand-in's Token Vault: each user's connected accounts, one per connection, holding the
 * provider's access and refresh tokens (in memory, like the rest of the stand-in's state). An
 * expired access token is refreshed at the provider when asked for, as Token Vault does.
 */
export interface ConnectionProvider {
  /** The Auth0 connection name (e.g. `github`). */
  readonly connection: string;
  /** The provider's token endpoint (authorization code and refresh token grants). */
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authorizationEndpoint: string;
  /** Scopes asked of the provider when connecting. */
  readonly scopes: readonly string[];
}

export interface HeldToken {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly scopes: readonly string[];
}

interface Account extends HeldToken {
  readonly refreshToken: string | undefined;
}

/** How long before expiry a held token is refreshed instead of handed out, in milliseconds. */
const REFRESH_SKEW_MS = 30_000;

export class ConnectedAccounts {
  readonly #accounts = new Map<string, Account>();
  readonly #providers: ReadonlyMap<string, ConnectionProvider>;

  constructor(providers: readonly ConnectionProvider[]) {
    this.#providers = new Map(providers.map((p) => [p.connection, p]));
  }

  providerFor(connection: string): ConnectionProvider | undefined {
    return this.#providers.get(connection);
  }

  #key(sub: string, connection: string): string {
    return `${sub}\u0000${connection}`;
  }

  /** Whether the user has connected an account for this connection. */
  has(sub: string, connection: string): boolean {
    return this.#accounts.has(this.#key(sub, connection));
  }

  /** The connected accounts of a user, as the My Account API lists them (no tokens). */
  list(sub: string): Array<{ connection: string; scopes: readonly string[] }> {
    return [...this.#accounts].filter(([key]) => key.startsWith(`${sub}\u0000`)).map(([key, a]) => ({ connection: key.slice(sub.length + 1), scopes: a.scopes }));
  }

  /** Redeems the provider's authorization code for the user (the end of the Connected Accounts flow). */
  async connect(sub: string, connection: string, code: string, redirectUri: string): Promise<void> {
    const provider = this.#providers.get(connection);
    if (provider === undefined) throw new Error(`unknown connection ${connection}`);
    this.#accounts.set(this.#key(sub, connection), await this.#grant(provider, { grant_type: "authorization_code", code, redirect_uri: redirectUri }));
  }

  /** Forgets a connected account (the user disconnected it). */
  disconnect(sub: string, connection: string): boolean {
    return this.#accounts.delete(this.#key(sub, connection));
  }

  /** The provider access token for the user's connected account, refreshed when about to expire; undefined when not connected. */
  async accessTokenFor(sub: string, connection: string): Promise<HeldToken | undefined> {
    const key = this.#key(sub, connection);
    const held = this.#accounts.get(key);
    if (held === undefined) return undefined;
    if (held.expiresAt - REFRESH_SKEW_MS > Date.now() || held.refreshToken === undefined) return held;
    const refreshed = await this.#grant(this.#providers.get(connection)!, { grant_type: "refresh_token", refresh_token: held.refreshToken });
    this.#accounts.set(key, { ...refreshed, refreshToken: refreshed.refreshToken ?? held.refreshToken });
    return this.#accounts.get(key);
  }

  async #grant(provider: ConnectionProvider, params: Record<string, string>): Promise<Account> {
    const res = await fetch(provider.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...params, client_id: provider.clientId, client_secret: provider.clientSecret }),
    });
    const body = (await res.json()) as { access_token?: string; refresh_token?: string; expires_in?: number; scope?: string; error?: string };
    if (!res.ok || body.access_token === undefined) throw new Error(`the ${provider.connection} provider refused the grant (${body.error ?? res.status})`);
    return { accessToken: body.access_token, refreshToken: body.refresh_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000, scopes: (body.scope ?? "").split(" ").filter((s) => s !== "") };
  }
}
