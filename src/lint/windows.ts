// Windows rules (seed 000, "Challenge 3: Windows VM Configuration" and "Graphics Configuration").
import type { Hit, Rule } from "./finding.js";
import { diskBus } from "./helpers.js";

export const windowsRules: Rule[] = [
  {
    id: "GV003",
    severity: "error",
    title: "Windows without a graphics device (graphics.vnc: false)",
    check: ({ lab }) =>
      lab.vms
        .filter((vm) => vm.windows && !vm.graphics.vnc)
        .map(
          (vm): Hit => ({
            path: [...vm.path, "graphics", "vnc"],
            message: `Windows VM "${vm.name}" has no graphics device (graphics.vnc: false): Windows needs one to boot, even when a GPU is passed through`,
            fix: `remove graphics.vnc: false from vms.${vm.name} (the default VNC device lets Windows boot; the GPU takes over the display)`,
            vm: vm.name,
          }),
        ),
  },
  {
    id: "GV004",
    severity: "warning",
    title: "Windows boots a mode from virtio disks: the virtio-win drivers must be installed first",
    check: ({ lab }) =>
      lab.vms
        .filter((vm) => vm.windows)
        .flatMap((vm) => {
          const boot = vm.disks.find((disk) => disk.boot);
          if (!boot) return [];
          const virtio = vm.modes.filter((mode) => diskBus(boot, mode) === "virtio");
          const plain = vm.modes.filter((mode) => diskBus(boot, mode) !== "virtio");
          return virtio.map((mode): Hit => {
            const installer = plain[0];
            const message = installer
              ? `Windows VM "${vm.name}" boots ${mode.name} mode from virtio disks but ${installer.name} mode from ${diskBus(boot, installer)}: ${mode.name} mode will not find its system disk until the virtio-win drivers are installed in ${installer.name} mode`
              : `Windows VM "${vm.name}" boots ${mode.name} mode from virtio disks and no mode uses SATA: the Windows installer sees no disk without the virtio-win drivers`;
            const fix = installer
              ? `install the virtio-win drivers while running ${installer.name} mode, then silence this with vms.${vm.name}.lint.ignore.GV004: "<why>"`
              : `set diskBus: sata on the mode you install from, or load the virtio-win drivers from a second CD-ROM during setup`;
            return { path: mode.path, message, fix, vm: vm.name };
          });
        }),
  },
  {
    id: "GV005",
    severity: "warning",
    title: "Windows 11 without EFI, Secure Boot or a TPM",
    check: ({ lab }) =>
      lab.vms
        .filter((vm) => vm.os === "windows11")
        .flatMap((vm) => {
          const missing = [
            ...(vm.firmware.efi ? [] : ["efi"]),
            ...(vm.firmware.secureBoot ? [] : ["secureBoot"]),
            ...(vm.firmware.tpm ? [] : ["tpm"]),
          ];
          if (missing.length === 0) return [];
          return [
            {
              path: [...vm.path, "firmware", missing[0] ?? "efi"],
              message: `Windows 11 VM "${vm.name}" has no ${missing.join(", ")}: Windows 11 setup refuses machines without UEFI Secure Boot and TPM 2.0`,
              fix: `remove firmware.${missing.join("/")}: false from vms.${vm.name} (windows11 turns them on by default)`,
              vm: vm.name,
            },
          ];
        }),
  },
];
