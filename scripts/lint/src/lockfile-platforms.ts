/**
 * The lockfile must carry every platform's native binary of the tools that cannot run without
 * one. npm resolves a package's optional platform dependencies into the lockfile only when it
 * can see them; a lockfile written on Linux by an npm that skipped them (npm/cli#4828) installs
 * no workerd or turbo binary on macOS or Windows, and `npm ci` refuses it everywhere.
 */

/** Packages whose binaries ship as optional per-platform dependencies, and the OSes each must cover. */
export const NATIVE_PACKAGES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  workerd: Object.freeze(["darwin", "linux", "win32"]),
  turbo: Object.freeze(["darwin", "linux", "win32"]),
});

interface LockEntry {
  version?: string;
  os?: string[];
  optionalDependencies?: Record<string, string>;
}

export interface Lockfile {
  lockfileVersion?: number;
  packages?: Record<string, LockEntry>;
}

/** The entry Node would load for `name` required from the package at `fromPath` (node_modules lookup upwards). */
function resolve(packages: Record<string, LockEntry>, fromPath: string, name: string): [string, LockEntry] | undefined {
  for (let dir = fromPath; ; ) {
    const path = `${dir === "" ? "" : `${dir}/`}node_modules/${name}`;
    const entry = packages[path];
    if (entry !== undefined) return [path, entry];
    if (dir === "") return undefined;
    const cut = dir.lastIndexOf("/node_modules/");
    dir = cut === -1 ? "" : dir.slice(0, cut);
  }
}

/**
 * Problems with the lockfile's native binaries, one sentence each (empty when it is complete):
 * every optional platform dependency of each native package is locked at the wanted version,
 * and together they cover macOS, Linux and Windows.
 */
export function lockfilePlatformProblems(lock: Lockfile, natives: Readonly<Record<string, readonly string[]>> = NATIVE_PACKAGES): string[] {
  const problems: string[] = [];
  const packages = lock.packages;
  if (packages === undefined || (lock.lockfileVersion ?? 0) < 2) return ["package-lock.json has no `packages` map (lockfileVersion ≥ 2 needed); regenerate it with npm ≥ 7."];
  for (const [name, oses] of Object.entries(natives)) {
    const installs = Object.keys(packages).filter((path) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`));
    if (installs.length === 0) problems.push(`package-lock.json does not contain ${name}.`);
    for (const path of installs) {
      const covered = new Set<string>();
      for (const [dependency, wanted] of Object.entries(packages[path]!.optionalDependencies ?? {})) {
        const found = resolve(packages, path, dependency);
        if (found === undefined || found[1].version !== wanted) {
          problems.push(`package-lock.json lacks ${dependency}@${wanted} (a platform binary of ${name}).`);
          continue;
        }
        for (const os of found[1].os ?? []) covered.add(os);
      }
      for (const os of oses) if (!covered.has(os)) problems.push(`package-lock.json has no ${os} binary for ${name} (${path}).`);
    }
  }
  return problems.length === 0 ? [] : [...problems, "Regenerate the lockfile from scratch: rm -rf node_modules package-lock.json && npm install (see docs/architecture.md)."];
}
