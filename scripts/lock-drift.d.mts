// Types of lock-drift.mjs for the tests that import it (the script itself is plain JavaScript so that
// it runs before anything is installed).
export interface Platform {
  os: string;
  cpu: string;
  libc: string | undefined;
}
export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  [field: string]: unknown;
}
export interface Lock {
  lockfileVersion?: number;
  packages?: Record<string, LockEntry>;
}
export function currentPlatform(): Platform;
export function isOtherPlatformOptional(entry: LockEntry | undefined, platform: Platform): boolean;
export function compareLocks(
  before: Lock,
  after: Lock,
  platform?: Platform,
): { refused: string[]; tolerated: string[] };
