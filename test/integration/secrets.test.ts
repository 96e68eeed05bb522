// Against the real API server: what gpuvm prints never holds a credential of the kubeconfig (a token,
// an exec plugin's token, user:password in the server URL), with GPUVM_DEBUG too, and never a control
// character from the server's objects (status and iso list tables, error messages).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli } from "../support/cli.js";
import { execCredentialPlugin } from "../support/exec-plugin.js";
import { tempDir } from "../support/temp.js";
import { freshLab, sharedCluster } from "./cluster/support.js";
import { createNamespace, must } from "./iso-support.js";

const cluster = sharedCluster();
const admin = cluster.kubeConfig("admin");
const lab = freshLab("secrets");
const ns = lab.namespace;
const dir = tempDir("gpuvm-secrets-it-");
const ca = Buffer.from(readFileSync(cluster.caFile)).toString("base64");
const URL_PASSWORD = "s3cret-url-pw";
// OSC 0 (set the window title) and a one-byte CSI: either would act on a terminal printed raw.
const EVIL = "\u001b]0;owned\u0007\u009b2J";

/** The plugin answers the admin token, as a cloud provider's exec plugin would. */
const plugin = execCredentialPlugin(dir, cluster.adminToken);

const kubeconfig = join(dir, "kubeconfig");
const withPassword = new URL(cluster.server);
withPassword.username = "admin";
withPassword.password = URL_PASSWORD;
writeFileSync(
  kubeconfig,
  `apiVersion: v1
kind: Config
clusters:
- { name: plain, cluster: { server: "${cluster.server}", certificate-authority-data: ${ca} } }
- { name: userinfo, cluster: { server: "${withPassword.toString()}", certificate-authority-data: ${ca} } }
users:
- { name: admin, user: { token: ${cluster.adminToken} } }
- { name: limited, user: { token: ${cluster.limitedToken} } }
- name: exec
  user:
    exec: { apiVersion: client.authentication.k8s.io/v1, command: ${plugin}, interactiveMode: Never }
contexts:
- { name: admin, context: { cluster: plain, user: admin } }
- { name: limited, context: { cluster: plain, user: limited } }
- { name: exec, context: { cluster: plain, user: exec } }
- { name: userinfo, context: { cluster: userinfo, user: admin } }
current-context: admin
`,
);

function expectClean(text: string): void {
  for (const secret of [cluster.adminToken, cluster.limitedToken, URL_PASSWORD]) {
    expect(text).not.toContain(secret);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is that none is left
  expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
}

async function gpuvm(context: string, ...args: string[]) {
  const before = process.env.GPUVM_DEBUG;
  process.env.GPUVM_DEBUG = "1";
  try {
    return await runCli(...args, "--kubeconfig", kubeconfig, "--context", context);
  } finally {
    if (before === undefined) delete process.env.GPUVM_DEBUG;
    else process.env.GPUVM_DEBUG = before;
  }
}

beforeAll(async () => {
  await createNamespace(admin, ns);
  await must(admin, "POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: {
      name: "gaming-live",
      namespace: ns,
      labels: { "gpuvm.io/vm": "gaming", "gpuvm.io/mode": "live" },
    },
    spec: { runStrategy: "Always", template: { spec: { domain: { devices: {} } } } },
  });
  // A VMI as virt-controller writes it (the VMI CRD has no status subresource), its node name and a
  // condition holding terminal escapes, as a hostile or broken component could write them.
  await must(admin, "POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`, {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: { name: "gaming-live", namespace: ns },
    spec: { domain: { devices: {} } },
    status: {
      phase: "Scheduling",
      nodeName: `tower1${EVIL}`,
      conditions: [{ type: "Ready", status: "False", message: `waiting${EVIL}` }],
    },
  });
  await must(admin, "POST", `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes`, {
    apiVersion: "cdi.kubevirt.io/v1beta1",
    kind: "DataVolume",
    metadata: {
      name: "installer",
      namespace: ns,
      labels: { "gpuvm.io/iso": "true" },
      annotations: { "gpuvm.io/iso-file": `win11${EVIL}.iso` },
    },
    spec: { source: { upload: {} }, storage: { resources: { requests: { storage: "1Gi" } } } },
  });
});

describe("credentials against the real API server", () => {
  it.each(["admin", "exec", "userinfo"])(
    "context %s: status, plan, iso list and console print no credential, GPUVM_DEBUG on",
    async (context) => {
      const results = [
        await gpuvm(context, "status", "-f", lab.path, "-o", "wide"),
        await gpuvm(context, "plan", "-f", lab.path),
        await gpuvm(context, "iso", "list", "-n", ns),
        await gpuvm(context, "console", "nothing-here", "-n", ns),
      ];
      for (const result of results) expectClean(result.stdout + result.stderr);
      // The exec plugin's token really authenticated: the listing came back.
      expect(results[2]?.code, results[2]?.stderr).toBe(0);
      expect(results[2]?.stdout).toContain("installer");
      expect(results[3]?.code).toBe(1);
      expect(results[3]?.stderr).toMatch(/^gpuvm: no VirtualMachine for "nothing-here"/);
      // A GpuvmError's next step comes on its own line.
      expect(results[3]?.stderr).toContain("\n  next: create it with: gpuvm apply -f LAB\n");
    },
  );

  it("a refusal (403) keeps the server's words and the advice, and shows no token", async () => {
    const result = await gpuvm("limited", "iso", "list", "-n", ns);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^gpuvm: you may not list datavolumes\.cdi\.kubevirt\.io in namespace \S+: your Kubernetes user lacks that permission; the server said: .*User "limited" cannot list/,
    );
    expect(result.stderr).toContain("gpuvm render --target kubevirt --with-rbac");
    expectClean(result.stdout + result.stderr);
  });
});

describe("control characters from the server's objects", () => {
  it("gpuvm status shows the VMI's node escaped, in aligned columns", async () => {
    const result = await runCli("status", "-f", lab.path, "--kubeconfig", cluster.kubeconfigPath);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("tower1\\x1b]0;owned\\x07\\x9b2J");
    expectClean(result.stdout + result.stderr);
    // Cells are escaped before the columns are measured: the IP column starts where its title does.
    const [header = "", first = ""] = result.stdout.split("\n");
    expect(first.indexOf(" -", first.indexOf("2J")), result.stdout).toBe(header.indexOf(" IP"));
  });

  it("gpuvm status -o json and -o yaml stay valid and keep the node's name as the server holds it", async () => {
    const base = ["status", "-f", lab.path, "--kubeconfig", cluster.kubeconfigPath];
    const json = await runCli(...base, "-o", "json");
    expect(json.code, json.stderr).toBe(0);
    expectClean(json.stdout);
    const rows = JSON.parse(json.stdout) as { node?: string }[];
    expect(rows[0]?.node).toBe(`tower1${EVIL}`);
    const yaml = await runCli(...base, "-o", "yaml");
    expect(yaml.code, yaml.stderr).toBe(0);
    expectClean(yaml.stdout);
    expect((parse(yaml.stdout) as { node?: string }[])[0]?.node).toBe(`tower1${EVIL}`);
  });

  it("gpuvm iso list shows the file name escaped", async () => {
    const result = await runCli("iso", "list", "-n", ns, "--kubeconfig", cluster.kubeconfigPath);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("win11\\x1b]0;owned\\x07\\x9b2J.iso");
    expectClean(result.stdout);
    const json = await runCli("iso", "list", "-n", ns, "-o", "json", "--kubeconfig", cluster.kubeconfigPath);
    // Still JSON, and still the same name once parsed.
    const rows = JSON.parse(json.stdout) as { file?: string }[];
    expect(rows[0]?.file).toBe(`win11${EVIL}.iso`);
    expectClean(json.stdout);
  });

  it("gpuvm console on a VMI that is not Running yet says so, before asking for the console", async () => {
    const result = await runCli("console", "gaming", "-n", ns, "--kubeconfig", cluster.kubeconfigPath);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `gpuvm: ${ns}/gaming-live is Scheduling, not Running yet\n  next: gpuvm wait gaming --for running, then connect again\n`,
    );
  });
});
