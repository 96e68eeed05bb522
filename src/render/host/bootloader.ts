import { stringify } from "yaml";
import { kernelArguments } from "./kernel-args.js";
import type { HostFile, HostRenderInput } from "./types.js";

const header = (input: HostRenderInput, what: string) =>
  `# gpuvm: ${what} for ${input.name}: IOMMU on and GPU functions to vfio-pci at boot.\n`;

/** GRUB: a drop-in that Debian and Ubuntu source after /etc/default/grub. */
export function renderGrub(input: HostRenderInput): HostFile {
  const args = kernelArguments(input).join(" ");
  return {
    path: "etc/default/grub.d/90-gpuvm.cfg",
    target: "/etc/default/grub.d/90-gpuvm.cfg",
    install: "replace",
    description: "GRUB kernel arguments; then run update-grub (or grub2-mkconfig -o /boot/grub2/grub.cfg)",
    contents: `${header(input, "GRUB kernel arguments")}# Without /etc/default/grub.d, add the arguments to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub.
GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT ${args}"
`,
  };
}

/** systemd-boot: kernelstub (Pop!_OS) or kernel-install's /etc/kernel/cmdline. */
export function renderSystemdBoot(input: HostRenderInput): HostFile {
  const args = kernelArguments(input).join(" ");
  const lines = [
    "#!/bin/sh",
    header(input, "systemd-boot kernel arguments").trimEnd(),
    "set -eu",
    `ARGS="${args}"`,
    "if command -v kernelstub >/dev/null 2>&1; then",
    '  kernelstub -a "$ARGS"',
    "else",
    "  # kernel-install reads /etc/kernel/cmdline; start from the running command line when it is missing.",
    "  [ -f /etc/kernel/cmdline ] || sed 's/BOOT_IMAGE=[^ ]* *//' /proc/cmdline > /etc/kernel/cmdline",
    '  echo "$(cat /etc/kernel/cmdline) $ARGS" > /etc/kernel/cmdline.new',
    "  mv /etc/kernel/cmdline.new /etc/kernel/cmdline",
    '  echo "now regenerate the boot entries: kernel-install add $(uname -r) /lib/modules/$(uname -r)/vmlinuz"',
    "fi",
  ];
  return {
    path: "gpuvm/systemd-boot.sh",
    target: "run once on the host",
    install: "run",
    description: "systemd-boot kernel arguments, with kernelstub or /etc/kernel/cmdline",
    contents: `${lines.join("\n")}\n`,
    mode: "0755",
  };
}

/** Butane (Fedora CoreOS / Flatcar provisioning): kernel arguments as seed 000's PXE setup does. */
export function renderButane(input: HostRenderInput): HostFile {
  const doc = {
    variant: "fcos",
    version: "1.5.0",
    kernel_arguments: { should_exist: kernelArguments(input) },
  };
  return {
    path: `butane/${input.name}-vfio.bu`,
    target: "merge into the host's Butane config",
    install: "merge",
    description: "Butane/Ignition kernel_arguments; merge into the host's .bu and re-run butane",
    contents: `${header(input, "Butane kernel arguments")}${stringify(doc)}`,
  };
}
