import type { V1VirtualMachine } from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import { describe, expect, it } from "vitest";
import {
  attachedDevices,
  detachedDevices,
  findSystemDisk,
  MEDIA_ANNOTATION,
  withDevices,
  withMedia,
} from "../../../src/cluster/iso/media.js";
import { renderVirtualMachine } from "../../../src/render/virtual-machine.js";
import { exampleLab } from "../../support/labs.js";

function rendered(vmName: string, mode: "live" | "maintenance"): V1VirtualMachine {
  const lab = exampleLab("homelab");
  const vm = lab.vms.find((v) => v.name === vmName);
  const m = vm?.modes.find((x) => x.name === mode);
  if (!vm || !m) throw new Error("example changed");
  return renderVirtualMachine(lab, vm, m);
}

const orders = (devices: { disks: { name: string; bootOrder?: number; cdrom?: unknown }[] }) =>
  devices.disks.map((d) => `${d.name}${d.cdrom ? "(cdrom)" : ""}:${d.bootOrder ?? "-"}`);

describe("ISO media boot orders", () => {
  it("attach: ISO first, system disk second, data disks unordered (Linux)", () => {
    const vm = rendered("gaming", "maintenance");
    const devices = attachedDevices(vm, {
      iso: { kind: "dataVolume", name: "bazzite" },
      systemDisk: "system",
    });
    expect(orders(devices)).toEqual(["system:2", "cache:-", "data:-", "iso(cdrom):1"]);
    expect(devices.disks.at(-1)?.cdrom).toEqual({ bus: "sata", readonly: true });
    expect(devices.volumes.at(-1)).toEqual({ name: "iso", dataVolume: { name: "bazzite" } });
  });

  it("attach with drivers: a second CD-ROM without boot order (Windows)", () => {
    const vm = rendered("gaming-compat", "live");
    const devices = attachedDevices(vm, {
      iso: { kind: "dataVolume", name: "win11" },
      drivers: { kind: "persistentVolumeClaim", name: "virtio-win" },
      systemDisk: "system",
    });
    expect(orders(devices)).toEqual(["system:2", "data:-", "iso(cdrom):1", "drivers(cdrom):-"]);
    expect(devices.volumes.at(-1)).toEqual({
      name: "drivers",
      persistentVolumeClaim: { claimName: "virtio-win", readOnly: true },
    });
  });

  it("detach restores the system disk to 1, removes the CD-ROMs and their volumes only from the spec", () => {
    const vm = rendered("gaming-compat", "maintenance");
    const state = {
      iso: { kind: "dataVolume" as const, name: "win11" },
      drivers: { kind: "dataVolume" as const, name: "virtio-win" },
      systemDisk: "system",
    };
    const attached = withDevices(vm, attachedDevices(vm, state), state);
    expect(findSystemDisk(attached)).toBe("system");
    const detached = detachedDevices(attached, "system");
    expect(orders(detached)).toEqual(["system:1", "data:-"]);
    expect(detached.volumes.map((v) => v.name)).toEqual(["system", "data"]);
    expect(detached).toEqual({
      disks: vm.spec.template?.spec?.domain.devices.disks,
      volumes: vm.spec.template?.spec?.volumes,
    });
  });

  it("attaching twice replaces the ISO instead of adding a second one", () => {
    const vm = rendered("gaming", "live");
    const first = { iso: { kind: "dataVolume" as const, name: "one" }, systemDisk: "system" };
    const once = withDevices(vm, attachedDevices(vm, first), first);
    const second = { iso: { kind: "dataVolume" as const, name: "two" }, systemDisk: "system" };
    const twice = attachedDevices(once, second);
    expect(orders(twice)).toEqual(["system:2", "cache:-", "data:-", "iso(cdrom):1"]);
    expect(twice.volumes.filter((v) => v.name === "iso")).toEqual([
      { name: "iso", dataVolume: { name: "two" } },
    ]);
  });

  it("withMedia keeps an attached ISO in a freshly rendered VM (what apply sends)", () => {
    const fresh = rendered("gaming", "maintenance");
    const state = { iso: { kind: "dataVolume" as const, name: "bazzite" }, systemDisk: "system" };
    const live = withDevices(fresh, attachedDevices(fresh, state), state);
    const merged = withMedia(rendered("gaming", "maintenance"), live);
    expect(merged.spec.template?.spec?.domain.devices.disks).toEqual(
      live.spec.template?.spec?.domain.devices.disks,
    );
    expect(merged.metadata?.annotations?.[MEDIA_ANNOTATION]).toBe(JSON.stringify(state));
    expect(withMedia(fresh, undefined)).toBe(fresh);
  });

  it("withMedia keeps an empty drive and a medium inserted live as they are (no reboot forced by apply)", () => {
    const fresh = rendered("gaming", "maintenance");
    const iso = (m: V1VirtualMachine) => m.spec.template?.spec?.volumes?.find((v) => v.name === "iso");
    const empty = { systemDisk: "system" };
    const ejected = withMedia(
      rendered("gaming", "maintenance"),
      withDevices(fresh, attachedDevices(fresh, empty), empty),
    );
    expect(orders({ disks: ejected.spec.template?.spec?.domain.devices.disks ?? [] })).toContain(
      "iso(cdrom):1",
    );
    expect(iso(ejected)).toBeUndefined();
    const hot = {
      iso: { kind: "dataVolume" as const, name: "fedora" },
      hotplugged: true,
      systemDisk: "system",
    };
    const inserted = withMedia(
      rendered("gaming", "maintenance"),
      withDevices(fresh, attachedDevices(fresh, hot), hot),
    );
    expect(iso(inserted)).toEqual({ name: "iso", dataVolume: { name: "fedora", hotpluggable: true } });
  });
});
