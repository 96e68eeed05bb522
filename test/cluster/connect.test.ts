// Which cluster, context and namespace a command uses, as kubectl would choose them.
import { writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConnectionError, connect } from "../../src/cluster/connect.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

const dir = tempDir("gpuvm-kubeconfig-");

function kubeconfig(
  file: string,
  contexts: string[],
  current: string,
  server = "https://127.0.0.1:6443",
): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters: [${contexts.map((name) => `{ name: ${name}, cluster: { server: "${server}/${name}" } }`).join(", ")}]
users: [${contexts.map((name) => `{ name: ${name}, user: { token: secret-${name} } }`).join(", ")}]
contexts: [${contexts.map((name) => `{ name: ${name}, context: { cluster: ${name}, user: ${name} } }`).join(", ")}]
current-context: ${current}
`,
  );
  return path;
}

const first = kubeconfig("first", ["home", "work"], "home");
const second = kubeconfig("second", ["lab", "work"], "lab", "https://10.0.0.1:6443");

describe("connect", () => {
  it("takes --kubeconfig over KUBECONFIG, and the lab's namespace unless -n", async () => {
    const chosen = await connect({ kubeconfig: first }, "gaming", { KUBECONFIG: second });
    expect(chosen).toMatchObject({
      context: "home",
      namespace: "gaming",
      server: "https://127.0.0.1:6443/home",
    });
    expect((await connect({ kubeconfig: first, namespace: "other" }, "gaming", {})).namespace).toBe("other");
  });

  it("without a lab, takes the context's namespace, else default (kubectl's choice)", async () => {
    const scoped = join(dir, "scoped");
    writeFileSync(
      scoped,
      `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:6443" } }]
users: [{ name: u, user: { token: secret } }]
contexts: [{ name: desk, context: { cluster: c, user: u, namespace: gaming } }, { name: bare, context: { cluster: c, user: u } }]
current-context: desk
`,
    );
    const namespace = async (flags: object, lab?: string) => (await connect(flags, lab, {})).namespace;
    expect(await namespace({ kubeconfig: scoped })).toBe("gaming");
    expect(await namespace({ kubeconfig: scoped, context: "bare" })).toBe("default");
    expect(await namespace({ kubeconfig: scoped, namespace: "other" })).toBe("other");
    expect(await namespace({ kubeconfig: scoped, context: "bare" }, "lab-ns")).toBe("lab-ns");
  });

  it("merges a KUBECONFIG list, the first file winning names and current context", async () => {
    const env = { KUBECONFIG: [first, second].join(delimiter) };
    expect((await connect({}, "gaming", env)).context).toBe("home");
    expect((await connect({ context: "lab" }, "gaming", env)).server).toBe("https://10.0.0.1:6443/lab");
    expect((await connect({ context: "work" }, "gaming", env)).server).toBe("https://127.0.0.1:6443/work");
  });

  it("names the known contexts when --context is wrong, without printing credentials", async () => {
    await expect(connect({ kubeconfig: first, context: "nope" }, "gaming", {})).rejects.toThrow(
      new ConnectionError('context "nope" is not in the kubeconfig (known: home, work)'),
    );
  });

  it("says where it looked when there is no kubeconfig", async () => {
    await expect(connect({}, "gaming", { HOME: dir })).rejects.toThrow(
      "no kubeconfig: pass --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config",
    );
    await expect(connect({ kubeconfig: join(dir, "missing") }, "gaming", {})).rejects.toThrow("no such file");
  });

  it("is a usage error (exit 2) on the command line", async () => {
    const result = await runCli(
      "status",
      "-f",
      "examples/homelab.yaml",
      "--kubeconfig",
      first,
      "--context",
      "nope",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('gpuvm: context "nope" is not in the kubeconfig (known: home, work)\n');
    expect(result.stderr).not.toContain("secret-");
  });

  it("reports an unreachable server in one line", async () => {
    const dead = kubeconfig("dead", ["dead"], "dead", "https://127.0.0.1:1");
    const result = await runCli("status", "-f", "examples/homelab.yaml", "--kubeconfig", dead);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^gpuvm: cannot reach the API server at https:\/\/127\.0\.0\.1:1\/dead: .+\n$/,
    );
    expect(result.stderr).not.toContain("secret-");
  });
});
