import type { HostScan } from "../types.js";
import type { DoctorCheck } from "./types.js";

/** The kernel arguments that turn the IOMMU on for this CPU vendor. */
export function iommuKernelArgs(vendor: HostScan["cpu"]["vendor"]): string {
  if (vendor === "amd") return "amd_iommu=on iommu=pt";
  if (vendor === "intel") return "intel_iommu=on iommu=pt";
  return "iommu.passthrough=1";
}

export function checkVirtualization(scan: HostScan): DoctorCheck {
  const { cpu, kvm } = scan;
  const flagName = cpu.virtualizationFlag === "vmx" ? "VT-x (vmx)" : "AMD-V (svm)";
  const kvmModule = cpu.vendor === "amd" ? "kvm_amd" : "kvm_intel";
  if (kvm && (cpu.virtualizationFlag || cpu.vendor === "arm")) {
    const how = cpu.vendor === "arm" ? "arm64 virtualisation" : flagName;
    return { id: "virtualization", verdict: "ok", detail: `${how} available and /dev/kvm present` };
  }
  if (kvm) {
    return { id: "virtualization", verdict: "ok", detail: "/dev/kvm present (no vmx/svm flag in cpuinfo)" };
  }
  if (cpu.virtualizationFlag) {
    return {
      id: "virtualization",
      verdict: "fail",
      detail: `${flagName} is on but /dev/kvm is missing: the KVM module is not loaded`,
      fix: `modprobe ${kvmModule}, and add ${kvmModule} to /etc/modules-load.d/kvm.conf`,
    };
  }
  const setting =
    cpu.vendor === "amd" ? "SVM Mode (AMD-V)" : cpu.vendor === "intel" ? "Intel VT-x" : "virtualisation";
  return {
    id: "virtualization",
    verdict: "fail",
    detail: "no hardware virtualisation: no vmx/svm flag in /proc/cpuinfo and no /dev/kvm",
    fix: `enable ${setting} in the firmware setup; inside a VM, enable nested virtualisation on its host`,
  };
}

export function checkIommu(scan: HostScan): DoctorCheck {
  const args = iommuKernelArgs(scan.cpu.vendor);
  const c = scan.cmdline;
  const argsGiven = c ? [c.intelIommu, c.amdIommu].some((v) => v === "on") : false;
  if (scan.iommuGroups.length > 0) {
    const ptNote =
      c && c.iommu !== "pt" && scan.cpu.vendor !== "arm"
        ? "; iommu=pt is not set (host DMA is translated too)"
        : "";
    return {
      id: "iommu",
      verdict: "ok",
      detail: `on: ${scan.iommuGroups.length} IOMMU groups${scan.iommuUnits.length ? ` (${scan.iommuUnits.join(", ")})` : ""}${ptNote}`,
    };
  }
  if (argsGiven) {
    const where = scan.cpu.vendor === "amd" ? "AMD-Vi / IOMMU" : "VT-d";
    return {
      id: "iommu",
      verdict: "fail",
      detail: "the kernel was asked for the IOMMU but made no IOMMU groups",
      fix: `enable ${where} in the firmware setup, then reboot`,
    };
  }
  return {
    id: "iommu",
    verdict: "fail",
    detail: `IOMMU is off: no IOMMU groups${c ? "" : " (and /proc/cmdline could not be read)"}`,
    fix: `add the kernel arguments \`${args}\` (gpuvm render --target host writes them for GRUB, systemd-boot and Butane), enable ${scan.cpu.vendor === "amd" ? "AMD-Vi" : scan.cpu.vendor === "intel" ? "VT-d" : "the SMMU"} in firmware, and reboot`,
  };
}

export function checkVfioModule(scan: HostScan): DoctorCheck {
  if (scan.vfioPciLoaded) return { id: "vfio-module", verdict: "ok", detail: "vfio-pci is loaded" };
  return {
    id: "vfio-module",
    verdict: "warn",
    detail: "vfio-pci is not loaded",
    fix: "modprobe vfio-pci (early binding loads it at boot once the host files are installed)",
  };
}

export function checkScanIssues(scan: HostScan): DoctorCheck | null {
  if (scan.issues.length === 0) return null;
  const shown = scan.issues.slice(0, 5).map((i) => `${i.path}: ${i.reason}`);
  const more = scan.issues.length > 5 ? ` (and ${scan.issues.length - 5} more)` : "";
  return {
    id: "scan",
    verdict: "warn",
    detail: `could not read ${scan.issues.length} file(s), their values are unknown: ${shown.join("; ")}${more}`,
    fix: "run as a user that can read them, or check the --root tree is complete",
  };
}
