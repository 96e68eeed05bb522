import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  type HostFile,
  type HostRenderInput,
  kernelArguments,
  renderHostFiles,
  validateHostInput,
} from "../../src/render/host/index.js";

/** tower1 of seed 000. */
const tower1: HostRenderInput = {
  name: "tower1",
  cpuVendor: "intel",
  gpuFunctions: [
    { address: "0000:09:00.0", id: "10de:2206" },
    { address: "0000:09:00.1", id: "10de:1aef" },
  ],
  bridge: { name: "local-br0", uplink: "enp9s0" },
};

function file(files: HostFile[], path: string): HostFile {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} in ${files.map((x) => x.path).join(", ")}`);
  return f;
}

describe("host target files", () => {
  const files = renderHostFiles(tower1);

  it("kernel arguments are exactly those of seed 000", () => {
    expect(kernelArguments(tower1)).toEqual([
      "intel_iommu=on",
      "iommu=pt",
      "vfio-pci.ids=10de:2206,10de:1aef",
    ]);
  });

  it("GRUB drop-in appends them to GRUB_CMDLINE_LINUX_DEFAULT", () => {
    expect(file(files, "etc/default/grub.d/90-gpuvm.cfg").contents).toContain(
      'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT intel_iommu=on iommu=pt vfio-pci.ids=10de:2206,10de:1aef"',
    );
  });

  it("systemd-boot script uses kernelstub when present", () => {
    const sh = file(files, "gpuvm/systemd-boot.sh");
    expect(sh.contents).toContain('ARGS="intel_iommu=on iommu=pt vfio-pci.ids=10de:2206,10de:1aef"');
    expect(sh.contents).toContain('kernelstub -a "$ARGS"');
    expect(sh.mode).toBe("0755");
  });

  it("Butane snippet is valid YAML with kernel_arguments.should_exist", () => {
    const doc = parse(file(files, "butane/tower1-vfio.bu").contents);
    expect(doc).toEqual({
      variant: "fcos",
      version: "1.5.0",
      kernel_arguments: { should_exist: ["intel_iommu=on", "iommu=pt", "vfio-pci.ids=10de:2206,10de:1aef"] },
    });
  });

  it("modprobe vfio.conf: ids and a softdep for every driver that would grab a function", () => {
    const lines = file(files, "etc/modprobe.d/vfio.conf")
      .contents.split("\n")
      .filter((l) => l && !l.startsWith("#"));
    expect(lines).toEqual([
      "options vfio-pci ids=10de:2206,10de:1aef",
      "softdep nvidia pre: vfio-pci",
      "softdep nouveau pre: vfio-pci",
      "softdep snd_hda_intel pre: vfio-pci",
    ]);
  });

  it("initramfs lists for initramfs-tools and dracut", () => {
    const it = file(files, "etc/initramfs-tools/modules");
    expect(it.install).toBe("append");
    expect(it.contents.split("\n").filter((l) => l && !l.startsWith("#"))).toEqual([
      "vfio",
      "vfio_iommu_type1",
      "vfio_pci",
    ]);
    expect(file(files, "etc/dracut.conf.d/vfio.conf").contents).toContain(
      'force_drivers+=" vfio vfio_iommu_type1 vfio_pci "',
    );
  });

  it("containerd device ownership for 1.x, 2.x and k3s templates", () => {
    const v1 = file(files, "containerd/config-1.x.toml").contents;
    expect(v1).toMatch(
      /\[plugins\."io\.containerd\.grpc\.v1\.cri"\]\n {2}device_ownership_from_security_context = true/,
    );
    const v2 = file(files, "containerd/config-2.x.toml").contents;
    expect(v2).toMatch(
      /\[plugins\."io\.containerd\.cri\.v1\.runtime"\]\n {2}device_ownership_from_security_context = true/,
    );
    expect(v2).not.toContain("grpc.v1.cri");
    const k3s = file(files, "var/lib/rancher/k3s/agent/etc/containerd/config.toml.tmpl").contents;
    expect(k3s).toContain('{{ template "base" . }}');
    expect(k3s).toContain("device_ownership_from_security_context = true");
  });

  it("bridge local-br0 on enp9s0 as NetworkManager keyfiles and as a systemd unit", () => {
    const br = file(files, "etc/NetworkManager/system-connections/local-br0.nmconnection");
    expect(br.mode).toBe("0600");
    expect(br.contents).toContain("type=bridge\ninterface-name=local-br0");
    const port = file(
      files,
      "etc/NetworkManager/system-connections/local-br0-port-enp9s0.nmconnection",
    ).contents;
    expect(port).toContain("interface-name=enp9s0\nmaster=local-br0\nslave-type=bridge");
    const unit = file(files, "etc/systemd/system/gpuvm-bridge-local-br0.service").contents;
    expect(unit).toContain("ip link add name local-br0 type bridge");
    expect(unit).toContain("ip link set enp9s0 master local-br0");
    expect(unit).toContain("WantedBy=multi-user.target");
  });

  it("every output path is unique", () => {
    expect(new Set(files.map((f) => f.path)).size).toBe(files.length);
  });
});

describe("host target variations", () => {
  it("AMD gets amd_iommu and the AMD GPU drivers' softdeps", () => {
    const amd: HostRenderInput = {
      name: "ryzen",
      cpuVendor: "amd",
      gpuFunctions: [
        { address: "0000:0b:00.0", id: "1002:73BF" },
        { address: "0000:0b:00.1", id: "1002:ab28" },
      ],
    };
    expect(kernelArguments(amd)).toEqual(["amd_iommu=on", "iommu=pt", "vfio-pci.ids=1002:73bf,1002:ab28"]);
    const conf = file(renderHostFiles(amd), "etc/modprobe.d/vfio.conf").contents;
    expect(conf).toContain(
      "softdep amdgpu pre: vfio-pci\nsoftdep radeon pre: vfio-pci\nsoftdep snd_hda_intel pre: vfio-pci",
    );
  });

  it("arm64 needs no vendor IOMMU switch; a boot GPU gets efifb off", () => {
    const arm: HostRenderInput = {
      name: "altra",
      cpuVendor: "arm",
      gpuFunctions: [{ address: "000c:01:00.0", id: "10de:2204" }],
      bootGpu: true,
    };
    expect(kernelArguments(arm)).toEqual([
      "iommu.passthrough=1",
      "vfio-pci.ids=10de:2204",
      "video=efifb:off",
    ]);
  });

  it("a host without GPUs or bridge gets only boot and containerd files", () => {
    const files = renderHostFiles({ name: "worker", cpuVendor: "intel", gpuFunctions: [] });
    expect(files.map((f) => f.path)).not.toContain("etc/modprobe.d/vfio.conf");
    expect(files.some((f) => f.path.includes("NetworkManager"))).toBe(false);
    expect(kernelArguments({ name: "worker", cpuVendor: "intel", gpuFunctions: [] })).toEqual([
      "intel_iommu=on",
      "iommu=pt",
    ]);
  });

  it("rejects ids and interface names that would produce broken files", () => {
    expect(
      validateHostInput({
        name: "tower1",
        cpuVendor: "intel",
        gpuFunctions: [{ address: "0000:09:00.0", id: "10de-2206" }],
        bridge: { name: "a-bridge-name-too-long", uplink: "enp9s0" },
      }),
    ).toEqual([
      'tower1: GPU function 0000:09:00.0 has id "10de-2206", expected vvvv:dddd',
      'tower1: bridge name "a-bridge-name-too-long" is not a Linux interface name (1-15 of A-Z a-z 0-9 _ . -)',
    ]);
    expect(validateHostInput(tower1)).toEqual([]);
  });
});
