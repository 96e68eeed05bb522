import * as fs from "node:fs";
import * as path from "node:path";
import { fsWriter, type SysfsWriter, type WriteOptions } from "../../src/host/vfio/writer.js";

export interface LoggedWrite {
  path: string;
  value: string;
}

/** Wraps a writer and logs every write in order. */
export function loggingWriter(inner: SysfsWriter): SysfsWriter & { log: LoggedWrite[] } {
  const log: LoggedWrite[] = [];
  return {
    log,
    cannotWrite: (rel, options) => inner.cannotWrite(rel, options),
    write(rel, value, options) {
      log.push({ path: rel, value });
      inner.write(rel, value, options);
    },
  };
}

/**
 * A writer that also does what the kernel does on these writes in a fixture tree: moves the
 * `driver` links on unbind/bind/drivers_probe and keeps driver_override. `native` says which
 * driver drivers_probe picks for a device without an override.
 */
export function kernelSimWriter(root: string, native: Record<string, string>): SysfsWriter {
  const files = fsWriter(root);
  const devDir = (a: string) => fs.realpathSync(path.join(root, "sys/bus/pci/devices", a));
  const attach = (a: string, driver: string) => {
    const dir = devDir(a);
    const drvDir = path.join(root, "sys/bus/pci/drivers", driver);
    fs.symlinkSync(path.relative(dir, drvDir), path.join(dir, "driver"));
    fs.symlinkSync(path.relative(drvDir, dir), path.join(drvDir, a));
  };
  const detach = (a: string, driver: string) => {
    fs.rmSync(path.join(devDir(a), "driver"));
    fs.rmSync(path.join(root, "sys/bus/pci/drivers", driver, a));
  };
  const override = (a: string) => fs.readFileSync(path.join(devDir(a), "driver_override"), "utf8").trim();
  return {
    cannotWrite: (rel, options?: WriteOptions) => files.cannotWrite(rel, options),
    write(rel, value, options) {
      let m = /^sys\/bus\/pci\/devices\/([^/]+)\/driver_override$/.exec(rel);
      if (m?.[1]) {
        files.write(rel, value.trim() === "" ? "(null)\n" : `${value.trim()}\n`);
        return;
      }
      files.write(rel, value, options);
      m = /^sys\/bus\/pci\/drivers\/([^/]+)\/(bind|unbind)$/.exec(rel);
      if (m?.[1] && m[2] === "unbind") detach(value, m[1]);
      if (m?.[1] && m[2] === "bind") attach(value, m[1]);
      if (rel === "sys/bus/pci/drivers_probe") {
        const o = override(value);
        const driver = o !== "(null)" ? o : native[value];
        if (driver) attach(value, driver);
      }
    },
  };
}
