// Credentials never reach output or logs. A kubeconfig's secrets (tokens, passwords, client keys and
// certificates, exec plugin environments and what the plugin answered, auth-provider tokens) are
// remembered as they are loaded or used, and `redact` takes them, and anything shaped like a credential
// (URL user info, Authorization values, PEM blocks, token fields), out of every text gpuvm prints about
// an error: messages wrapped from @kubernetes/client-node, ws or Node carry URLs and headers.
import type { KubeConfig } from "@kubernetes/client-node";

export const REDACTED = "[redacted]";

// Shorter values would blank out ordinary words; no real token, key or password is this short.
const MIN_SECRET_LENGTH = 4;

const known = new Set<string>();
/** `known`, longest first, built again only after a credential was added (redaction runs per line). */
let longestFirst: string[] | undefined;

function add(secret: string): void {
  if (known.has(secret)) return;
  known.add(secret);
  longestFirst = undefined;
}

/** Remembers one credential, and the encodings it travels in (base64 in kubeconfig data and headers). */
export function rememberSecret(value: unknown): void {
  if (typeof value !== "string") return;
  const trimmed = value.trim();
  if (trimmed.length < MIN_SECRET_LENGTH) return;
  add(trimmed);
  add(Buffer.from(trimmed, "utf8").toString("base64"));
  // kubeconfig *-data fields are base64: the decoded PEM is what TLS errors would show.
  if (/^[A-Za-z0-9+/=\s]+$/.test(trimmed) && trimmed.length % 4 === 0) {
    const decoded = Buffer.from(trimmed, "base64").toString("utf8").trim();
    if (decoded.length >= MIN_SECRET_LENGTH && /^[\x20-\x7e\r\n\t]+$/.test(decoded)) add(decoded);
  }
}

/** An Authorization header value: the whole value and the credential after its scheme. */
export function rememberAuthorization(value: unknown): void {
  if (typeof value !== "string") return;
  rememberSecret(value);
  const credential = /^\s*\S+\s+(\S.*)$/.exec(value)?.[1];
  rememberSecret(credential);
  if (/^\s*basic\s/i.test(value) && credential) {
    const decoded = Buffer.from(credential, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon >= 0) rememberSecret(decoded.slice(colon + 1));
  }
}

function rememberUrl(url: unknown): void {
  if (typeof url !== "string") return;
  try {
    const parsed = new URL(url);
    rememberSecret(decodeURIComponent(parsed.password));
    // A user name alone in a URL is often a token (https://TOKEN@host).
    if (!parsed.password) rememberSecret(decodeURIComponent(parsed.username));
  } catch {
    // not a URL: nothing to remember
  }
}

// Auth-provider configs are free-form: the fields named like credentials are the secret ones (id-token,
// access-token, refresh-token, client-secret); issuer URLs and client ids stay readable.
const SECRET_FIELD = /token|secret|password|passwd|key|credential/i;

function rememberSecretFields(config: unknown): void {
  if (typeof config !== "object" || config === null) return;
  for (const [field, value] of Object.entries(config as Record<string, unknown>)) {
    if (SECRET_FIELD.test(field)) rememberSecret(value);
  }
}

/** Remembers every credential a loaded kubeconfig holds, for all its users and clusters. */
export function rememberKubeconfigSecrets(kc: KubeConfig): void {
  for (const user of kc.users) {
    rememberSecret(user.token);
    rememberSecret(user.password);
    rememberSecret(user.keyData);
    rememberSecret(user.certData);
    rememberSecretFields(user.authProvider?.config);
    const env = user.exec?.env;
    if (Array.isArray(env)) for (const entry of env) rememberSecret(entry?.value);
  }
  for (const cluster of kc.clusters) {
    rememberUrl(cluster.server);
    rememberUrl(cluster.proxyUrl);
  }
}

// Shapes of credentials in text nobody registered: libraries' messages, a proxy's reflected headers.
const PATTERNS: [RegExp, string][] = [
  // URL user info: https://user:password@host, https://token@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi, `$1${REDACTED}@`],
  // PEM blocks: client keys and certificates.
  [/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g, REDACTED],
  // Authorization values, in headers or dumped objects.
  [/\b(authorization["']?\s*[:=]\s*["']?)[^"'\r\n,}]+/gi, `$1${REDACTED}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/g, `$1 ${REDACTED}`],
  // Token and password fields in JSON or YAML (an exec plugin's ExecCredential, an auth-provider config).
  [
    /((?<![A-Za-z0-9_-])["']?(?:token|access[-_]?token|id[-_]?token|refresh[-_]?token|client[-_]?secret|password|client[-_]?key[-_]?data|clientKeyData)["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,}&]+)/gi,
    `$1${REDACTED}`,
  ],
  // Credentials in query strings.
  [/([?&](?:access_token|token|password)=)[^&\s#]+/gi, `$1${REDACTED}`],
];

/** `text` with every remembered credential and every credential-shaped value replaced by [redacted]. */
export function redact(text: string): string {
  let result = redactKnown(text);
  for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/** Only the remembered credentials taken out: for output that is data, not messages (tables, JSON). */
export function redactKnown(text: string): string {
  let result = text;
  // Longest first, so that a secret containing another is taken out whole.
  longestFirst ??= [...known].sort((a, b) => b.length - a.length);
  for (const secret of longestFirst) {
    if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result;
}

/** A server URL fit for messages: without user info (https://user:password@host). */
export function displayServer(server: string): string {
  try {
    const url = new URL(server);
    if (!url.username && !url.password) return server;
    url.username = "";
    url.password = "";
    return url.toString().replace(/\/$/, server.endsWith("/") ? "/" : "");
  } catch {
    return redact(server);
  }
}
