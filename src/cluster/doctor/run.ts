// gpuvm cluster doctor: is this cluster ready for the lab? Each check reads what the cluster reports
// (CR status, node allocatable, object existence) and says ok / warn / fail with the next step.
import { gpusPassedByLab } from "../../model/gpus.js";
import type { Lab } from "../../model/lab.js";
import { featureGates, permittedPciDevices } from "../../render/cluster-config.js";
import type { KubeClient, KubeObjectJson } from "../client.js";
import { ClusterError } from "../errors.js";
import { missingEntries } from "../shared-config.js";
import { type ClusterCheck, type ClusterReport, summarize } from "./types.js";
import { versionCheck, virtctlCheck, virtctlVersion } from "./versions.js";

type Json = Record<string, unknown> & KubeObjectJson;

async function tryGet(
  client: KubeClient,
  ref: Parameters<KubeClient["get"]>[0],
): Promise<Json | undefined | "no-kind"> {
  try {
    return await client.get<Json>(ref);
  } catch (error) {
    // 404 on a list of an unserved kind comes back as an error from get too; the CRD is absent.
    if (error instanceof ClusterError && error.notFound) return "no-kind";
    throw error;
  }
}

async function listOrAbsent(
  client: KubeClient,
  ref: Parameters<KubeClient["list"]>[0],
): Promise<Json[] | undefined> {
  try {
    return (await client.list<Json>(ref)).items;
  } catch (error) {
    if (error instanceof ClusterError && error.notFound) return undefined;
    throw error;
  }
}

function field<T>(obj: unknown, ...path: string[]): T | undefined {
  let current: unknown = obj;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current as T | undefined;
}

async function kubevirtChecks(client: KubeClient, lab: Lab): Promise<{ checks: ClusterCheck[]; cr?: Json }> {
  const list = await listOrAbsent(client, {
    apiVersion: "kubevirt.io/v1",
    kind: "KubeVirt",
    namespace: lab.cluster.kubevirtNamespace,
  });
  if (!list || list.length === 0) {
    return {
      checks: [
        {
          id: "kubevirt",
          verdict: "fail",
          detail: list
            ? `no KubeVirt CR in namespace ${lab.cluster.kubevirtNamespace}`
            : "the cluster does not serve kubevirt.io/v1 (KubeVirt is not installed)",
          fix: `install KubeVirt ${lab.cluster.kubevirtVersion}: kubectl apply -f https://github.com/kubevirt/kubevirt/releases/download/${lab.cluster.kubevirtVersion}/kubevirt-operator.yaml (and kubevirt-cr.yaml)`,
        },
      ],
    };
  }
  const cr = list[0] as Json;
  const checks = [
    operatorVersionCheck("kubevirt", "KubeVirt", cr, "observedKubeVirtVersion", lab.cluster.kubevirtVersion),
  ];
  const gates = featureGates(lab);
  const pci = permittedPciDevices(gpusPassedByLab(lab));
  const missing = missingEntries(cr, { featureGates: gates, pciHostDevices: pci });
  checks.push(
    missing.featureGates.length === 0
      ? {
          id: "feature-gates",
          verdict: "ok",
          detail: gates.length > 0 ? `on: ${gates.join(", ")}` : "the lab needs none",
        }
      : {
          id: "feature-gates",
          verdict: "fail",
          detail: `off: ${missing.featureGates.join(", ")} (the lab's VMs need them)`,
          fix: `gpuvm apply -f ${lab.source.file} adds them to the KubeVirt CR (other gates stay)`,
        },
  );
  checks.push(
    missing.pciHostDevices.length === 0
      ? {
          id: "permitted-devices",
          verdict: "ok",
          detail:
            pci.length > 0
              ? `permitted: ${pci.map((entry) => `${entry.pciVendorSelector} as ${entry.resourceName}`).join(", ")}`
              : "the lab passes no devices",
        }
      : {
          id: "permitted-devices",
          verdict: "fail",
          detail: `not in permittedHostDevices: ${missing.pciHostDevices.map((entry) => `${entry.pciVendorSelector} as ${entry.resourceName}`).join(", ")}; VMs that pass them stay Pending`,
          fix: `gpuvm apply -f ${lab.source.file} adds them to the KubeVirt CR (other entries stay)`,
        },
  );
  return { checks, cr };
}

/** KubeVirt and CDI report their deployed version and phase in their CR's status, each under its own field. */
function operatorVersionCheck(
  id: string,
  product: string,
  cr: Json,
  versionField: string,
  declared: string,
): ClusterCheck {
  return versionCheck(
    id,
    product,
    field<string>(cr, "status", versionField),
    declared,
    field<string>(cr, "status", "phase"),
  );
}

async function cdiChecks(client: KubeClient, lab: Lab): Promise<ClusterCheck[]> {
  const list = await listOrAbsent(client, { apiVersion: "cdi.kubevirt.io/v1beta1", kind: "CDI" });
  if (!list || list.length === 0) {
    return [
      {
        id: "cdi",
        verdict: "fail",
        detail: list ? "no CDI CR" : "the cluster does not serve cdi.kubevirt.io (CDI is not installed)",
        fix: `install CDI ${lab.cluster.cdiVersion}: kubectl apply -f https://github.com/kubevirt/containerized-data-importer/releases/download/${lab.cluster.cdiVersion}/cdi-operator.yaml (and cdi-cr.yaml)`,
      },
    ];
  }
  const cdi = list[0] as Json;
  const checks = [operatorVersionCheck("cdi", "CDI", cdi, "observedVersion", lab.cluster.cdiVersion)];
  const config = await tryGet(client, {
    apiVersion: "cdi.kubevirt.io/v1beta1",
    kind: "CDIConfig",
    name: "config",
  });
  const url = config && config !== "no-kind" ? field<string>(config, "status", "uploadProxyURL") : undefined;
  checks.push(
    url
      ? { id: "cdi-upload-proxy", verdict: "ok", detail: `upload proxy: ${url}` }
      : {
          id: "cdi-upload-proxy",
          verdict: "warn",
          detail:
            "CDI reports no upload proxy URL (CDIConfig status.uploadProxyURL is empty); ISO uploads need one",
          fix: "expose the cdi-uploadproxy service (NodePort or Ingress) and set CDIConfig spec.uploadProxyURLOverride to its URL, or port-forward: kubectl port-forward -n cdi service/cdi-uploadproxy 8443:443",
        },
  );
  return checks;
}

/** How many of each resource name the host must advertise: one per attached GPU function. */
export function expectedResources(lab: Lab): Map<string, Map<string, number>> {
  const byHost = new Map<string, Map<string, number>>();
  for (const host of lab.hosts) {
    const used = host.gpus.filter((gpu) =>
      lab.vms.some((vm) => vm.modes.some((mode) => mode.gpus.includes(gpu))),
    );
    if (used.length === 0) continue;
    const counts = new Map<string, number>();
    for (const fn of used.flatMap((gpu) => gpu.functions.filter((candidate) => candidate.attach))) {
      counts.set(fn.resource, (counts.get(fn.resource) ?? 0) + 1);
    }
    byHost.set(host.name, counts);
  }
  return byHost;
}

async function nodeChecks(client: KubeClient, lab: Lab): Promise<ClusterCheck[]> {
  const checks: ClusterCheck[] = [];
  for (const [host, counts] of expectedResources(lab)) {
    const node = await client.get<Json>({ apiVersion: "v1", kind: "Node", name: host });
    if (!node) {
      checks.push({
        id: "gpu-node",
        verdict: "fail",
        subject: host,
        detail: `node ${host} is not in the cluster`,
        fix: `join ${host} to the cluster, or correct the host's name in the lab (it must match the node name)`,
      });
      continue;
    }
    const allocatable = field<Record<string, string>>(node, "status", "allocatable") ?? {};
    for (const [resource, count] of counts) {
      const have = Number.parseInt(allocatable[resource] ?? "0", 10);
      checks.push(
        have >= count
          ? {
              id: "gpu-node",
              verdict: "ok",
              subject: `${host} ${resource}`,
              detail: `${host} advertises ${have} ${resource} (needs ${count})`,
            }
          : {
              id: "gpu-node",
              verdict: "fail",
              subject: `${host} ${resource}`,
              detail: `${host} advertises ${have} ${resource} in status.allocatable, the lab needs ${count}`,
              fix: `bind the GPU's functions to vfio-pci on ${host} (gpuvm host doctor), and make sure the KubeVirt CR permits them (gpuvm apply); virt-handler then advertises ${resource}`,
            },
      );
    }
  }
  return checks;
}

async function storageChecks(client: KubeClient, lab: Lab): Promise<ClusterCheck[]> {
  const checks: ClusterCheck[] = [];
  for (const sc of lab.storage) {
    const live = await client.get<Json>({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      name: sc.name,
    });
    if (!live) {
      checks.push({
        id: "storage-class",
        verdict: "fail",
        subject: sc.name,
        detail: `storage class ${sc.name} does not exist`,
        fix: sc.existing
          ? `create storage class ${sc.name} (the lab marks it existing)`
          : `gpuvm apply -f ${lab.source.file}`,
      });
      continue;
    }
    const binding = (live.volumeBindingMode as string | undefined) ?? "Immediate";
    checks.push(
      binding === sc.binding
        ? { id: "storage-class", verdict: "ok", subject: sc.name, detail: `${sc.name}: ${binding}` }
        : {
            id: "storage-class",
            verdict: "fail",
            subject: sc.name,
            detail: `${sc.name} binds ${binding}, the lab says ${sc.binding}`,
            fix: `volumeBindingMode cannot change: delete storage class ${sc.name} (its volumes stay) and run gpuvm apply -f ${lab.source.file}`,
          },
    );
  }
  return checks;
}

async function networkChecks(client: KubeClient, lab: Lab): Promise<ClusterCheck[]> {
  if (lab.networks.length === 0) return [];
  const crd = await client.get({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    name: "network-attachment-definitions.k8s.cni.cncf.io",
  });
  if (!crd) {
    return [
      {
        id: "multus",
        verdict: "fail",
        detail: "the NetworkAttachmentDefinition CRD is missing (Multus is not installed)",
        fix: "install Multus CNI: https://github.com/k8snetworkplumbingwg/multus-cni",
      },
    ];
  }
  const checks: ClusterCheck[] = [
    { id: "multus", verdict: "ok", detail: "NetworkAttachmentDefinition CRD present" },
  ];
  for (const network of lab.networks) {
    const nad = await client.get({
      apiVersion: "k8s.cni.cncf.io/v1",
      kind: "NetworkAttachmentDefinition",
      namespace: lab.cluster.namespace,
      name: network.name,
    });
    checks.push(
      nad
        ? {
            id: "network",
            verdict: "ok",
            subject: network.name,
            detail: `${lab.cluster.namespace}/${network.name} exists`,
          }
        : {
            id: "network",
            verdict: "fail",
            subject: network.name,
            detail: `NetworkAttachmentDefinition ${lab.cluster.namespace}/${network.name} does not exist`,
            fix: `gpuvm apply -f ${lab.source.file}`,
          },
    );
  }
  return checks;
}

async function priorityChecks(client: KubeClient, lab: Lab): Promise<ClusterCheck[]> {
  const used = [
    ...new Set(
      lab.vms.flatMap((vm) => vm.modes.map((mode) => mode.priority)).filter((name) => name !== undefined),
    ),
  ];
  const checks: ClusterCheck[] = [];
  for (const name of used as string[]) {
    const pc = await client.get({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", name });
    checks.push(
      pc
        ? { id: "priority-class", verdict: "ok", subject: name, detail: `${name} exists` }
        : {
            id: "priority-class",
            verdict: "fail",
            subject: name,
            detail: `PriorityClass ${name} does not exist; modes that use it are refused by the API server`,
            fix: `gpuvm apply -f ${lab.source.file}`,
          },
    );
  }
  return checks;
}

/** The API cannot see containerd's configuration; say what must be set and why (seed 000). */
export function blockUploadNote(lab: Lab): ClusterCheck {
  const block = lab.storage.filter((sc) => sc.volumeMode === "Block").map((sc) => sc.name);
  const what =
    'CDI uploads into Block volumes need containerd to set device ownership from the pod\'s security context: in /etc/containerd/config.toml, under [plugins."io.containerd.grpc.v1.cri"], set device_ownership_from_security_context = true on every node and restart containerd (otherwise uploads fail with "cannot open /dev/cdi-block-volume: Permission denied")';
  if (block.length === 0) {
    return { id: "block-upload", verdict: "ok", detail: `the lab uses no Block volumes. Note: ${what}` };
  }
  return {
    id: "block-upload",
    verdict: "warn",
    subject: block.join(", "),
    detail: `storage ${block.join(", ")} uses volumeMode Block; gpuvm cannot read containerd's configuration through the API`,
    fix: `${what}; gpuvm render --target host writes that setting`,
  };
}

export async function runClusterDoctor(
  client: KubeClient,
  lab: Lab,
  options: { virtctl?: () => Promise<string | undefined> } = {},
): Promise<ClusterReport> {
  const checks: ClusterCheck[] = [];
  checks.push(...(await kubevirtChecks(client, lab)).checks);
  checks.push(...(await cdiChecks(client, lab)));
  checks.push(virtctlCheck(await (options.virtctl ?? virtctlVersion)(), lab.cluster.kubevirtVersion));
  checks.push(...(await nodeChecks(client, lab)));
  checks.push(...(await storageChecks(client, lab)));
  checks.push(...(await networkChecks(client, lab)));
  checks.push(...(await priorityChecks(client, lab)));
  checks.push(blockUploadNote(lab));
  return { server: client.server, namespace: lab.cluster.namespace, checks, summary: summarize(checks) };
}

export function formatClusterReport(report: ClusterReport): string {
  const lines = [`cluster ${report.server}, namespace ${report.namespace}`];
  for (const check of report.checks) {
    const subject = check.subject ? ` [${check.subject}]` : "";
    lines.push(`${check.verdict.padEnd(4)}  ${check.id}${subject}: ${check.detail}`);
    if (check.fix && check.verdict !== "ok") lines.push(`      fix: ${check.fix}`);
  }
  const { ok, warn, fail } = report.summary;
  lines.push(`${ok} ok, ${warn} warn, ${fail} fail`);
  return `${lines.join("\n")}\n`;
}
