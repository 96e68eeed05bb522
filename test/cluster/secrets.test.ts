// No credential from a kubeconfig reaches what gpuvm prints, with or without GPUVM_DEBUG, whichever
// command fails and however: an address nothing listens on, or a "broken proxy" (a loopback HTTP server
// that is no Kubernetes API at all) that answers junk, reflects the credential it was sent, or writes
// terminal escapes. Replies gpuvm cannot use are errors naming the resource.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { execCredentialPlugin } from "../support/exec-plugin.js";
import { tempDir } from "../support/temp.js";

const dir = tempDir("gpuvm-secrets-");
const LAB = "examples/homelab.yaml";

const SECRETS = {
  urlPassword: "s3cret-url-pw",
  token: "tok-SECRET-4f1c9e",
  execToken: "exec-TOKEN-778899aa",
  execEnv: "env-SECRET-4455bb",
  password: "basic-PASS-9911cc",
  authProvider: "idtok-SECRET-7e7e7e",
};

/** A self-signed key and certificate (for 127.0.0.1: the proxy serves with one, a user holds another). */
function makeKeyPair(name: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  const subject = ["-subj", `/CN=${name}`, "-addext", "subjectAltName=IP:127.0.0.1"];
  const request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"];
  execFileSync("openssl", [...request, ...subject, "-keyout", key, "-out", cert], { stdio: "ignore" });
  return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
}

const pair = makeKeyPair("client");
const serving = makeKeyPair("proxy");
// The base64 of the key's body: what a log of the kubeconfig's data or a PEM dump would show.
const keyBody = pair.key.split("\n")[1] ?? "";

const plugin = execCredentialPlugin(dir, SECRETS.execToken);

/** A kubeconfig with every kind of credential, its server at `server` with user:password in the URL. */
function kubeconfig(server: string): string {
  const url = new URL(server);
  url.username = "admin";
  url.password = SECRETS.urlPassword;
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  const path = join(dir, `kubeconfig-${url.port}`);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${url.toString()}", certificate-authority-data: ${b64(serving.cert)} } }]
users:
- { name: token, user: { token: ${SECRETS.token} } }
- name: exec
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ${plugin}
      env: [{ name: PLUGIN_SECRET, value: ${SECRETS.execEnv} }]
      interactiveMode: Never
- { name: key, user: { client-key-data: ${b64(pair.key)}, client-certificate-data: ${b64(pair.cert)} } }
- { name: basic, user: { username: bob, password: ${SECRETS.password} } }
- name: provider
  user: { auth-provider: { name: oidc, config: { id-token: ${SECRETS.authProvider}, idp-issuer-url: "https://127.0.0.1:1" } } }
contexts:
- { name: token, context: { cluster: c, user: token } }
- { name: exec, context: { cluster: c, user: exec } }
- { name: key, context: { cluster: c, user: key } }
- { name: basic, context: { cluster: c, user: basic } }
- { name: provider, context: { cluster: c, user: provider } }
current-context: token
`,
  );
  return path;
}

function expectNoSecret(text: string): void {
  for (const secret of [...Object.values(SECRETS), keyBody, "BEGIN PRIVATE KEY"]) {
    expect(text).not.toContain(secret);
  }
  expect(text).not.toContain(Buffer.from(`bob:${SECRETS.password}`).toString("base64"));
}

const COMMANDS: string[][] = [
  ["status", "-f", LAB],
  ["plan", "-f", LAB],
  ["iso", "list"],
  ["console", "gaming"],
];
const USERS = ["token", "exec", "key", "basic", "provider"];

async function withDebug<T>(on: boolean, run: () => Promise<T>): Promise<T> {
  const before = process.env.GPUVM_DEBUG;
  if (on) process.env.GPUVM_DEBUG = "1";
  else delete process.env.GPUVM_DEBUG;
  try {
    return await run();
  } finally {
    if (before === undefined) delete process.env.GPUVM_DEBUG;
    else process.env.GPUVM_DEBUG = before;
  }
}

describe("an unreachable API server", () => {
  const config = kubeconfig("https://127.0.0.1:1/");

  it.each(USERS.flatMap((user) => COMMANDS.map((args) => [user, args] as const)))(
    "user %s: gpuvm %j names the server without its password, and no credential, with GPUVM_DEBUG too",
    async (user, args) => {
      for (const debug of [false, true]) {
        const result = await withDebug(debug, () =>
          runCli(...args, "--kubeconfig", config, "--context", user),
        );
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^gpuvm: cannot reach the API server at https:\/\/127\.0\.0\.1:1: /);
        if (debug) expect(result.stderr).toMatch(/\n\s+at /);
        else expect(result.stderr).not.toMatch(/\n\s+at /);
        expectNoSecret(result.stdout + result.stderr);
      }
    },
  );
});

type Answer = (req: { authorization: string }) => { status: number; type: string; body: string };
let answer: Answer = () => ({ status: 200, type: "text/plain", body: "" });
let proxy: Server;
let proxyConfig: string;

beforeAll(async () => {
  proxy = createServer({ key: serving.key, cert: serving.cert }, (req, res) => {
    const reply = answer({ authorization: req.headers.authorization ?? "" });
    res.writeHead(reply.status, { "Content-Type": reply.type }).end(reply.body);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyConfig = kubeconfig(`https://127.0.0.1:${(proxy.address() as AddressInfo).port}/`);
});
afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
afterEach(() => {
  answer = () => ({ status: 200, type: "text/plain", body: "" });
});

/** A Kubernetes Status reply, as the API server words a failure: `code` and the fields given. */
const statusReply = (code: number, fields: { message: string; reason?: string }) => ({
  status: code,
  type: "application/json",
  body: JSON.stringify({ kind: "Status", ...fields, code }),
});

const viaProxy = (user: string, ...args: string[]) =>
  runCli(...args, "--kubeconfig", proxyConfig, "--context", user);

describe("a broken proxy instead of the API server", () => {
  it("a page reflecting the credential it was sent is a reply error, the credential redacted", async () => {
    // The credential alone, without "Bearer": only a token gpuvm learned from the exec plugin catches it.
    answer = ({ authorization }) => ({
      status: 200,
      type: "text/html",
      body: `<html>session ${authorization.replace(/^\S+\s+/, "")}</html>`,
    });
    for (const user of ["exec", "token", "basic"]) {
      for (const debug of [false, true]) {
        const result = await withDebug(debug, () => viaProxy(user, "status", "-f", LAB));
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(
          /^gpuvm: the API server's reply to get virtualmachine(instance)?s\.kubevirt\.io "gaming-(live|maintenance)" in namespace gaming is not JSON \(it starts: <html>session \[redacted\]<\/html>\)\n {2}next: check that --kubeconfig/,
        );
        expectNoSecret(result.stdout + result.stderr);
      }
    }
  });

  it("a body that is not JSON is a reply error naming the resource, not a TypeError", async () => {
    answer = () => ({
      status: 200,
      type: "application/json",
      body: '{"apiVersion":"coordination.k8s.io/v1","ki',
    });
    const result = await viaProxy("token", "iso", "list");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^gpuvm: the API server's reply to list (datavolumes\.cdi|virtualmachines)\.kubevirt\.io in namespace default is not JSON/,
    );
    expect(result.stderr).not.toMatch(/Cannot read properties|TypeError|SyntaxError/);
  });

  it("JSON of the wrong shape is refused before gpuvm reads a field of it", async () => {
    // Any request gets one Lease-looking object: no metadata, spec a string.
    answer = () => ({ status: 200, type: "application/json", body: '{"kind":"Lease","spec":"holder"}' });
    const status = await viaProxy("token", "status", "-f", LAB);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(
      /^gpuvm: the API server's reply to get virtualmachine(instance)?s\.kubevirt\.io "gaming-(live|maintenance)" in namespace gaming has no valid metadata \(/,
    );
    expect(status.stdout).toBe("");
    const list = await viaProxy("token", "iso", "list");
    expect(list.code).toBe(1);
    expect(list.stderr).toMatch(
      /reply to list (datavolumes\.cdi|virtualmachines)\.kubevirt\.io .*has no valid items/,
    );
    expect(status.stderr + list.stderr).not.toMatch(/Cannot read properties|holderIdentity/);
  });

  it("a server's message cannot write to the terminal", async () => {
    answer = () => statusReply(500, { message: "boom \u001b]0;owned\u0007 \u009b2J\rhidden" });
    const result = await viaProxy("token", "iso", "list");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("boom \\x1b]0;owned\\x07 \\x9b2J\\rhidden");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is that none is left
    expect(result.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it("a 403 keeps the server's words and the advice to render gpuvm's role", async () => {
    answer = () =>
      statusReply(403, {
        reason: "Forbidden",
        message: 'datavolumes.cdi.kubevirt.io is forbidden: User "bob" cannot list resource "datavolumes"',
      });
    const result = await viaProxy("token", "iso", "list");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('User "bob" cannot list resource');
    expect(result.stderr).toContain("gpuvm render --target kubevirt --with-rbac");
  });
});

describe("messages about local input", () => {
  it("a kubeconfig that is not YAML is named with its line, without the lines around the mistake", async () => {
    const path = join(dir, "broken-kubeconfig");
    writeFileSync(
      path,
      `apiVersion: v1
kind: Config
users:
- name: u
  user: { token: ${SECRETS.token}
contexts: []
`,
    );
    const result = await runCli("iso", "list", "--kubeconfig", path);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^gpuvm: ${path}:\\d+:\\d+: the kubeconfig is not valid YAML: .+\\n$`),
    );
    expectNoSecret(result.stderr);
  });

  it("iso upload of a file that does not exist says so, without an errno", async () => {
    const missing = join(dir, "nowhere.iso");
    const result = await runCli("iso", "upload", missing, "--kubeconfig", proxyConfig);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`gpuvm: no such file: ${missing}\n`);
  });
});

describe("redact", () => {
  it("takes out credential-shaped text no kubeconfig registered", async () => {
    const { redact } = await import("../../src/cluster/secrets.js");
    expect(redact("GET https://bob:hunter22@10.0.0.1:6443/api failed")).toBe(
      "GET https://[redacted]@10.0.0.1:6443/api failed",
    );
    expect(redact("headers: { Authorization: 'Bearer abc.def.ghi' }")).toBe(
      "headers: { Authorization: '[redacted]' }",
    );
    expect(redact("sent Bearer eyJhbGciOi.x.y to the proxy")).toBe("sent Bearer [redacted] to the proxy");
    expect(redact(`bad key ${pair.key.trim()}!`)).toBe("bad key [redacted]!");
    expect(redact('{"status":{"token":"plugin-printed-this"}}')).toBe('{"status":{"token":[redacted]}}');
    expect(redact("https://h/?access_token=abcdef&x=1")).toBe("https://h/?access_token=[redacted]&x=1");
    // Ordinary words stay: an upload's name, a resource with "token" in it.
    expect(redact("create on uploadtokenrequests.upload.cdi.kubevirt.io")).toBe(
      "create on uploadtokenrequests.upload.cdi.kubevirt.io",
    );
  });
});
