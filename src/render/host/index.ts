import { renderButane, renderGrub, renderSystemdBoot } from "./bootloader.js";
import { renderBridgeUnit, renderNetworkManagerBridge } from "./bridge.js";
import { renderContainerdConfigs, renderK3sTemplates } from "./containerd.js";
import { renderDracut, renderInitramfsTools, renderModprobe } from "./modules.js";
import type { HostFile, HostRenderInput } from "./types.js";

export { kernelArguments, vfioIds } from "./kernel-args.js";
export type { HostFile, HostGpuFunction, HostRenderInput, InstallMode } from "./types.js";

const ID = /^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/;
const IFACE = /^[A-Za-z0-9_.-]{1,15}$/;

/** Input errors a renderer cannot turn into a working file; returned, not thrown, so callers can locate them. */
export function validateHostInput(input: HostRenderInput): string[] {
  const problems: string[] = [];
  for (const f of input.gpuFunctions) {
    if (!ID.test(f.id))
      problems.push(`${input.name}: GPU function ${f.address} has id "${f.id}", expected vvvv:dddd`);
  }
  if (input.bridge) {
    for (const [what, v] of [
      ["bridge name", input.bridge.name],
      ["bridge uplink", input.bridge.uplink],
    ] as const) {
      if (!IFACE.test(v))
        problems.push(
          `${input.name}: ${what} "${v}" is not a Linux interface name (1-15 of A-Z a-z 0-9 _ . -)`,
        );
    }
  }
  return problems;
}

/**
 * Every persistent host file for one host: boot arguments (GRUB, systemd-boot, Butane), vfio
 * modprobe and initramfs lists, containerd device ownership (1.x, 2.x, k3s), and the bridge.
 * Pure; the caller writes them out.
 */
export function renderHostFiles(input: HostRenderInput): HostFile[] {
  const files: HostFile[] = [renderGrub(input), renderSystemdBoot(input), renderButane(input)];
  if (input.gpuFunctions.length) {
    files.push(renderModprobe(input), renderInitramfsTools(input), renderDracut(input));
  }
  files.push(...renderContainerdConfigs(input), ...renderK3sTemplates(input));
  if (input.bridge) {
    files.push(...renderNetworkManagerBridge(input, input.bridge), renderBridgeUnit(input, input.bridge));
  }
  return files;
}
