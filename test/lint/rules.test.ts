// One lab that triggers each rule and a close variant that does not. Each case states the severity,
// the place in the lab file and what the message says, as a user reads them.
import { describe, expect, it } from "vitest";
import type { Severity } from "../../src/lint/finding.js";
import { BASE, type LintRun, lint, object, VM2, variant, where } from "./support.js";

interface Case {
  id: string;
  severity: Severity;
  what: string;
  bad: LintRun;
  good: LintRun;
  /** [snippet, part of it] whose position the finding must name. */
  at: [string, string?];
  message: RegExp;
}

const WIN = ["os: linux", "os: windows"] as [string, string];
const vm1Live = (objects: any[]) => object(objects, "VirtualMachine", "vm1-live").spec.template.spec;
const kvConfig = (objects: any[]) => object(objects, "KubeVirt", "kubevirt").spec.configuration;
const GROUP = (endpoints: string[]) => ({ hosts: { tower1: { iommuGroups: [{ id: 16, endpoints }] } } });
const OLD = (kubevirt: string, cdi: string) =>
  ["kubevirt: v1.6.3, cdi: v1.63.1", `kubevirt: ${kubevirt}, cdi: ${cdi}`] as [string, string];

const cases: Case[] = [
  {
    id: "GV001",
    severity: "error",
    what: "upload storage waiting for a first consumer",
    bad: {
      text: variant([
        "  fast: { replicas: 1 }\n",
        "  fast: { replicas: 1 }\n  iso: { binding: WaitForFirstConsumer }\n",
      ]),
    },
    good: {
      text: variant([
        "  fast: { replicas: 1 }\n",
        "  fast: { replicas: 1 }\n  iso: { binding: WaitForFirstConsumer, forceBind: true }\n",
      ]),
    },
    at: ["WaitForFirstConsumer"],
    message: /storage "iso" is where ISOs are uploaded but binds WaitForFirstConsumer/,
  },
  {
    id: "GV002",
    severity: "warning",
    what: "a VM disk waiting for a first consumer",
    bad: { text: variant(["fast: { replicas: 1 }", "fast: { replicas: 1, binding: WaitForFirstConsumer }"]) },
    good: {
      text: variant([
        "fast: { replicas: 1 }",
        "fast: { replicas: 1, binding: WaitForFirstConsumer, forceBind: true }",
      ]),
    },
    at: ["storage: fast", "fast"],
    message: /disk "system" of VM "vm1" is on storage "fast", which binds WaitForFirstConsumer/,
  },
  {
    id: "GV003",
    severity: "error",
    what: "Windows without a graphics device",
    bad: { text: variant(WIN, ["    disks:\n", "    graphics: { vnc: false }\n    disks:\n"]) },
    good: { text: variant(WIN, ["    disks:\n", "    graphics: { vnc: true }\n    disks:\n"]) },
    at: ["vnc: false", "false"],
    message: /Windows VM "vm1" has no graphics device .* needs one to boot/,
  },
  {
    id: "GV004",
    severity: "warning",
    what: "Windows live mode on virtio while maintenance uses SATA",
    bad: { text: variant(WIN) },
    good: { text: variant(WIN, ["gpus: [gpu] }", "gpus: [gpu], diskBus: sata }"]) },
    at: ["live: { host", "{ host"],
    message: /boots live mode from virtio disks but maintenance mode from sata/,
  },
  {
    id: "GV005",
    severity: "warning",
    what: "Windows 11 without a TPM",
    bad: { text: variant(["os: linux", "os: windows11\n    firmware: { tpm: false }"]) },
    good: { text: variant(["os: linux", "os: windows11"]) },
    at: ["tpm: false", "false"],
    message: /Windows 11 VM "vm1" has no tpm/,
  },
  {
    id: "GV006",
    severity: "warning",
    what: "a VM disk on a class that deletes its volumes",
    bad: { text: variant(["fast: { replicas: 1 }", "fast: { replicas: 1, reclaim: Delete }"]) },
    good: { text: variant(["fast: { replicas: 1 }", "fast: { replicas: 1, reclaim: Retain }"]) },
    at: ["storage: fast", "fast"],
    message: /reclaim Delete: deleting its PVC destroys the disk's data/,
  },
  {
    id: "GV007",
    severity: "error",
    what: "a system disk with too few replicas",
    bad: { text: variant(["namespace: lab,", "namespace: lab, minSystemReplicas: 3,"]) },
    good: {
      text: variant(
        ["namespace: lab,", "namespace: lab, minSystemReplicas: 3,"],
        ["replicas: 1", "replicas: 3"],
      ),
    },
    at: ["storage: fast", "fast"],
    message: /system disk "system" of VM "vm1" .* 1 replica\(s\); cluster.minSystemReplicas asks for 3/,
  },
  {
    id: "GV008",
    severity: "warning",
    what: "a GPU passed without its audio function",
    bad: {
      text: variant([
        '          - { address: "0000:09:00.1", id: "10de:1aef", resource: nvidia.com/rtx3080-audio }\n',
        "",
      ]),
    },
    good: { text: BASE },
    at: ['- { address: "0000:09:00.0"', "-"],
    message: /GPU "gpu" on host "tower1" lists only 0000:09:00.0: .* audio function \(0000:09:00.1\)/,
  },
  {
    id: "GV009",
    severity: "error",
    what: "an IOMMU group (host scan) with a function the lab does not list",
    bad: { text: BASE, facts: GROUP(["0000:09:00.0", "0000:09:00.1", "0000:09:00.2"]) },
    good: { text: BASE, facts: GROUP(["0000:09:00.0", "0000:09:00.1"]) },
    at: ['- { address: "0000:09:00.0"', "-"],
    message: /IOMMU group 16, which also holds 0000:09:00.2/,
  },
  {
    id: "GV010",
    severity: "warning",
    what: "functions of one GPU on different slots",
    bad: { text: variant(['"0000:09:00.1"', '"0000:0a:00.1"']) },
    good: { text: BASE },
    at: ['"0000:0a:00.1"'],
    message: /lists 0000:0a:00.1, which is not on the slot of 0000:09:00.0/,
  },
  {
    id: "GV011",
    severity: "error",
    what: "host devices without the HostDevices gate in the KubeVirt CR",
    bad: {
      text: BASE,
      mutate: (objects) => {
        const config = kvConfig(objects);
        config.developerConfiguration.featureGates = config.developerConfiguration.featureGates.filter(
          (gate: string) => gate !== "HostDevices",
        );
      },
    },
    good: { text: BASE, mutate: () => {} },
    at: ["gpus: [gpu]", "[gpu]"],
    message: /vm1-live passes host devices, but the rendered KubeVirt CR does not enable the HostDevices/,
  },
  {
    id: "GV012",
    severity: "error",
    what: "a host device missing from permittedHostDevices",
    bad: {
      text: BASE,
      mutate: (objects) => {
        const permitted = kvConfig(objects).permittedHostDevices;
        permitted.pciHostDevices = permitted.pciHostDevices.filter(
          (entry: any) => entry.pciVendorSelector !== "10de:1aef",
        );
      },
    },
    good: { text: BASE, mutate: () => {} },
    at: ["nvidia.com/rtx3080-audio"],
    message:
      /asks for nvidia.com\/rtx3080-audio \(10de:1aef\), which the KubeVirt CR's permittedHostDevices does not list/,
  },
  {
    id: "GV013",
    severity: "error",
    what: "one resource name for two vendor:device ids",
    bad: {
      text: variant([
        "    bridge: { name: br0",
        '      gpu2:\n        functions:\n          - { address: "0000:0b:00.0", id: "10de:2204", resource: nvidia.com/rtx3080 }\n    bridge: { name: br0',
      ]),
    },
    good: {
      text: variant([
        "    bridge: { name: br0",
        '      gpu2:\n        functions:\n          - { address: "0000:0b:00.0", id: "10de:2204", resource: nvidia.com/rtx3090 }\n    bridge: { name: br0',
      ]),
    },
    at: ['"10de:2204", resource: nvidia.com/rtx3080', "nvidia.com/rtx3080"],
    message: /resource nvidia.com\/rtx3080 names 10de:2204 here and 10de:2206 at 0000:09:00.0/,
  },
  {
    id: "GV014",
    severity: "error",
    what: "a VM with host devices that eviction would live-migrate",
    bad: {
      text: BASE,
      mutate: (objects) => {
        vm1Live(objects).evictionStrategy = "LiveMigrate";
      },
    },
    good: { text: BASE, mutate: () => {} },
    at: ["gpus: [gpu]", "[gpu]"],
    message: /vm1-live passes host devices but its evictionStrategy is LiveMigrate/,
  },
  {
    id: "GV015",
    severity: "error",
    what: "a mode larger than its host",
    bad: { text: variant(["{ cpu: 2, memory: 4Gi }", "{ cpu: 20, memory: 4Gi }"]) },
    good: { text: BASE },
    at: ["cpu: 20", "20"],
    message: /vm1-maintenance asks for 20 cores but host "tower1" has 16/,
  },
  {
    id: "GV016",
    severity: "warning",
    what: "a mode above cluster.maxHostShare",
    bad: { text: variant(["cpu: 80%", "cpu: 95%"]) },
    good: {
      text: variant(["cpu: 80%", "cpu: 95%"], ["namespace: lab,", 'namespace: lab, maxHostShare: "100%",']),
    },
    at: ["cpu: 95%", "95%"],
    message: /vm1-live asks for 15 of host "tower1"'s 16 CPUs, more than 90%/,
  },
  {
    id: "GV017",
    severity: "error",
    what: "a GPU mode not required on the GPU's host",
    bad: {
      text: BASE,
      mutate: (objects) => {
        const spec = vm1Live(objects);
        const term =
          spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0];
        spec.affinity = {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: term }],
          },
        };
      },
    },
    good: { text: BASE, mutate: () => {} },
    at: ["host: tower1, cpu: 80%", "tower1"],
    message: /vm1-live passes a GPU of host "tower1" but is not required to run there/,
  },
  {
    id: "GV018",
    severity: "info",
    what: "two live modes sharing a GPU",
    bad: { text: BASE + VM2.replace("maintenance: {", "live: { gpus: [gpu],") },
    good: { text: BASE + VM2 },
    at: ["gpus: [gpu]", "gpu]"],
    message: /GPU "gpu" of host "tower1" is also needed by the live mode of "vm2"/,
  },
  {
    id: "GV019",
    severity: "error",
    what: "a malformed MAC",
    bad: { text: variant(['"8a:d3:14:ca:21:70"', '"8a:d3:14:ca:21"']) },
    good: { text: variant(['"8a:d3:14:ca:21:70"', '"8a-d3-14-ca-21-70"']) },
    at: ['"8a:d3:14:ca:21"'],
    message: /MAC "8a:d3:14:ca:21" of VM "vm1" is not six hex octets/,
  },
  {
    id: "GV020",
    severity: "error",
    what: "a placeholder MAC",
    bad: { text: variant(['"8a:d3:14:ca:21:70"', '"8A:D3:14:CA:21:XX"']) },
    good: { text: variant(['"8a:d3:14:ca:21:70"', '"8A:D3:14:CA:21:7A"']) },
    at: ['"8A:D3:14:CA:21:XX"'],
    message: /is a placeholder: the router's static-lease template skips MACs containing "XX"/,
  },
  {
    id: "GV021",
    severity: "error",
    what: "a multicast MAC",
    bad: { text: variant(['"8a:d3:14:ca:21:70"', '"8b:d3:14:ca:21:70"']) },
    good: { text: BASE },
    at: ['"8b:d3:14:ca:21:70"'],
    message: /has the multicast bit set/,
  },
  {
    id: "GV022",
    severity: "warning",
    what: "a MAC that is not locally administered",
    bad: { text: variant(['"8a:d3:14:ca:21:70"', '"88:d3:14:ca:21:70"']) },
    good: { text: variant(['"8a:d3:14:ca:21:70"', '"02:d3:14:ca:21:70"']) },
    at: ['"88:d3:14:ca:21:70"'],
    message: /is a vendor \(universally administered\) address/,
  },
  {
    id: "GV023",
    severity: "error",
    what: "a duplicate MAC",
    bad: {
      text:
        BASE +
        VM2.replace(
          "    modes:",
          '    nics:\n      lan: { mac: "8A:D3:14:CA:21:70", ip: 192.168.26.101 }\n    modes:',
        ),
    },
    good: {
      text:
        BASE +
        VM2.replace(
          "    modes:",
          '    nics:\n      lan: { mac: "8A:D3:14:CA:21:71", ip: 192.168.26.101 }\n    modes:',
        ),
    },
    at: ['"8A:D3:14:CA:21:70"'],
    message: /MAC "8A:D3:14:CA:21:70" of VM "vm2" is already used by VM "vm1"/,
  },
  {
    id: "GV024",
    severity: "error",
    what: "a duplicate IP",
    bad: {
      text:
        BASE +
        VM2.replace(
          "    modes:",
          '    nics:\n      lan: { mac: "8a:d3:14:ca:21:71", ip: 192.168.26.100 }\n    modes:',
        ),
    },
    good: {
      text:
        BASE +
        VM2.replace(
          "    modes:",
          '    nics:\n      lan: { mac: "8a:d3:14:ca:21:71", ip: 192.168.26.101 }\n    modes:',
        ),
    },
    at: ['21:71", ip: 192.168.26.100', "192.168.26.100"],
    message: /IP 192.168.26.100 of VM "vm2" is already VM "vm1"'s on network lan/,
  },
  {
    id: "GV025",
    severity: "error",
    what: "an IP outside the subnet",
    bad: { text: variant(["ip: 192.168.26.100", "ip: 192.168.27.100"]) },
    good: { text: BASE },
    at: ["192.168.27.100"],
    message: /IP 192.168.27.100 of VM "vm1" is outside 192.168.26.0\/24/,
  },
  {
    id: "GV026",
    severity: "warning",
    what: "a static IP inside the host-local range",
    bad: {
      text: variant([
        "domain: vms.lab.example }",
        "domain: vms.lab.example, range: { start: 192.168.26.100, end: 192.168.26.110 } }",
      ]),
    },
    good: {
      text: variant([
        "domain: vms.lab.example }",
        "domain: vms.lab.example, range: { start: 192.168.26.150, end: 192.168.26.160 } }",
      ]),
    },
    at: ["ip: 192.168.26.100", "192.168.26.100"],
    message: /lies in the host-local range 192.168.26.100–192.168.26.110 of network lan/,
  },
  {
    id: "GV027",
    severity: "error",
    what: "a domain that is not a DNS name",
    bad: { text: variant(["domain: vms.lab.example", "domain: vms_lab.example"]) },
    good: { text: variant(["domain: vms.lab.example", "domain: vms-lab.example"]) },
    at: ["vms_lab.example"],
    message: /domain "vms_lab.example" of network lan has the label "vms_lab"/,
  },
  {
    id: "GV028",
    severity: "warning",
    what: "a bridge network on a host without that bridge",
    bad: { text: variant(["bridge: { name: br0,", "bridge: { name: br1,"]) },
    good: { text: BASE },
    at: ["      lan: { mac", "lan"],
    message:
      /vm1-live runs on host "tower1" and joins network lan on bridge br0, but hosts.tower1.bridge is br1/,
  },
  {
    id: "GV029",
    severity: "error",
    what: "managedTap on KubeVirt before v1.4",
    bad: { text: variant(OLD("v1.3.1", "v1.60.5")) },
    good: { text: variant(OLD("v1.4.0", "v1.61.0")) },
    at: ["binding: managedTap", "managedTap"],
    message:
      /network lan uses the managedTap binding, which KubeVirt has since v1.4.0; the cluster runs v1.3.1/,
  },
  {
    id: "GV030",
    severity: "error",
    what: "a video device on KubeVirt before v1.6",
    bad: {
      text: variant(OLD("v1.5.0", "v1.62.0"), ["    disks:\n", "    graphics: { video: vga }\n    disks:\n"]),
    },
    good: { text: variant(["    disks:\n", "    graphics: { video: vga }\n    disks:\n"]) },
    at: ["video: vga", "vga"],
    message: /VM "vm1" sets a video device, which KubeVirt has since v1.6.0; the cluster runs v1.5.0/,
  },
  {
    id: "GV030",
    severity: "error",
    what: "a video device without the VideoConfig gate on v1.6",
    bad: {
      text: variant(["    disks:\n", "    graphics: { video: vga }\n    disks:\n"]),
      mutate: (objects) => {
        const gates = kvConfig(objects).developerConfiguration;
        gates.featureGates = gates.featureGates.filter((gate: string) => gate !== "VideoConfig");
      },
    },
    good: { text: variant(["    disks:\n", "    graphics: { video: vga }\n    disks:\n"]), mutate: () => {} },
    at: ["video: vga", "vga"],
    message: /does not enable the VideoConfig feature gate, which v1.6.3 still needs \(GA only in v1.9.0\)/,
  },
  {
    id: "GV031",
    severity: "warning",
    what: "CDI not paired with the KubeVirt version",
    bad: { text: variant(OLD("v1.6.3", "v1.60.0")) },
    good: { text: variant(OLD("v1.6.3", "v1.62.0")) },
    at: ["cdi: v1.60.0", "v1.60.0"],
    message: /CDI v1.60.0 does not go with KubeVirt v1.6.3, which is released with CDI v1.62–v1.63/,
  },
  {
    id: "GV032",
    severity: "error",
    what: "a Hyper-V field the KubeVirt version lacks",
    bad: {
      text: variant(OLD("v0.16.0", "v1.13.0"), ["    disks:\n", "    hyperv: { evmcs: true }\n    disks:\n"]),
    },
    good: {
      text: variant(OLD("v0.16.0", "v1.13.0"), [
        "    disks:\n",
        "    hyperv: { relaxed: true }\n    disks:\n",
      ]),
    },
    at: ["evmcs: true", "true"],
    message: /Hyper-V enlightenment evmcs, which KubeVirt has since v0.17.0; the cluster runs v0.16.0/,
  },
  {
    id: "GV033",
    severity: "error",
    what: "a persistent TPM on KubeVirt before v1.0",
    bad: {
      text: variant(OLD("v0.59.0", "v1.56.1"), ["os: linux", "os: windows11\n    firmware: { tpm: true }"]),
    },
    good: {
      text: variant(OLD("v1.0.0", "v1.57.0"), ["os: linux", "os: windows11\n    firmware: { tpm: true }"]),
    },
    at: ["tpm: true", "true"],
    message:
      /VM "vm1" needs persistent TPM\/EFI state \(tpm\), which KubeVirt has since v1.0.0; the cluster runs v0.59.0/,
  },
  {
    id: "GV034",
    severity: "warning",
    what: "virtctl not matching KubeVirt",
    bad: { text: BASE, facts: { virtctlVersion: "v1.5.2" } },
    good: { text: BASE, facts: { virtctlVersion: "v1.6.1" } },
    at: ["kubevirt: v1.6.3", "v1.6.3"],
    message: /virtctl is v1.5.2 but the cluster runs KubeVirt v1.6.3/,
  },
  {
    id: "GV035",
    severity: "warning",
    what: "lint.ignore naming an unknown rule",
    bad: {
      text: variant(["    os: linux\n", '    os: linux\n    lint: { ignore: { GV999: "old habit" } }\n']),
    },
    good: {
      text: variant([
        "    os: linux\n",
        '    os: linux\n    lint: { ignore: { GV002: "the class binds at once" } }\n',
      ]),
    },
    at: ["GV999"],
    message: /vms.vm1.lint.ignore names GV999, which is not a gpuvm lint rule/,
  },
  {
    id: "GV036",
    severity: "error",
    what: "a rendered object outside the lab's namespace",
    bad: {
      text: BASE,
      mutate: (objects) => {
        object(objects, "PersistentVolumeClaim", "vm1-system").metadata.namespace = "default";
      },
    },
    good: { text: BASE, mutate: () => {} },
    at: ["namespace: lab", "lab"],
    message: /PersistentVolumeClaim vm1-system is rendered into namespace default, not the lab's lab/,
  },
];

describe("the clean lab", () => {
  it("has no findings at all, so every case below adds exactly what it tests", () => {
    expect(lint({ text: BASE }).findings).toEqual([]);
  });
});

describe.each(cases)("$id ($what)", ({ id, severity, bad, good, at, message }) => {
  it(`fires as ${severity} at the offending place`, () => {
    const found = lint(bad).findings.filter((finding) => finding.id === id);
    const place = where(bad.text, at[0], at[1]);
    expect(found.map((finding) => ({ line: finding.line, col: finding.col }))).toContainEqual(place);
    const first = found.find((finding) => finding.line === place.line && finding.col === place.col);
    expect(first?.severity).toBe(severity);
    expect(first?.file).toBe("lab.yaml");
    expect(first?.message).toMatch(message);
    expect(first?.fix.length).toBeGreaterThan(10);
  });

  it("stays quiet on the close variant", () => {
    expect(lint(good).findings.map((finding) => finding.id)).not.toContain(id);
  });
});
