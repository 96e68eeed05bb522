// gpuvm iso upload | list | attach | detach | eject
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type { Command } from "commander";
import { DEFAULT_DRIVERS_VOLUME } from "../cluster/iso/attach.js";
import { volumeNameFor } from "../cluster/iso/datavolume.js";
import { checkImage } from "../cluster/iso/image-format.js";
import { listIsos } from "../cluster/iso/list.js";
import { uploadIso } from "../cluster/iso/upload.js";
import type { MediaChange } from "../engine/engine.js";
import { KubeVirtEngine } from "../engine/kubevirt.js";
import { GpuvmError } from "../errors.js";
import { formatTable, quoteForMessage, terminalJson } from "../terminal.js";
import {
  addVmClusterOptions,
  type ClusterContext,
  type ClusterFlags,
  clusterContext,
  vmTarget,
} from "./cluster-options.js";
import { type Io, UsageError } from "./io.js";
import { outputOption } from "./options.js";
import { uploadReporter } from "./progress.js";

interface UploadFlags extends ClusterFlags {
  name?: string;
  size?: string;
  storageClass?: string;
  cdiNamespace?: string;
}

interface AttachFlags extends ClusterFlags {
  volume?: string;
  drivers?: string | boolean;
  mode?: string;
  restart?: boolean;
}

/** The ISO named on the command line is a readable file, said in a sentence instead of an errno. */
async function requireFile(path: string): Promise<void> {
  const shown = quoteForMessage(path);
  try {
    if ((await stat(path)).isDirectory()) throw new GpuvmError(`${shown} is a folder, not an ISO image`);
  } catch (error) {
    if (error instanceof GpuvmError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new GpuvmError(`no such file: ${shown}`);
    throw new GpuvmError(`cannot read ${shown}: ${code ?? String(error)}`);
  }
}

function registerUpload(iso: Command, io: Io): void {
  addVmClusterOptions(
    iso
      .command("upload")
      .description(
        "upload an installation ISO into a DataVolume (reused when it already holds the same image)",
      )
      .argument("<file>", "ISO 9660 or UDF image")
      .option("--name <name>", "DataVolume name (default: from the file name)")
      .option("--size <size>", "volume size (default: the image plus filesystem overhead)")
      .option(
        "--storage-class <class>",
        "storage class (default: the lab's `iso` storage, else the cluster default)",
      )
      .option("--cdi-namespace <ns>", "namespace CDI runs in", "cdi")
      .addOption(outputOption(["text", "json"], "text")),
  ).action(async (file: string, flags: UploadFlags & { output: string }) => {
    // Before reading a kubeconfig or sending anything: is it an installation image at all?
    await requireFile(file);
    await checkImage(file);
    const ctx = await clusterContext(flags);
    const labClass = ctx.lab?.storage.find((storage) => storage.key === "iso")?.name;
    const storageClass = flags.storageClass ?? labClass;
    const result = await uploadIso({
      api: ctx.client,
      namespace: ctx.namespace,
      file,
      ...(flags.name ? { name: flags.name } : {}),
      ...(flags.size ? { size: flags.size } : {}),
      ...(storageClass ? { storageClass } : {}),
      ...(flags.cdiNamespace ? { cdiNamespace: flags.cdiNamespace } : {}),
      reporter: uploadReporter(io),
    });
    // Progress and messages go to stderr either way; stdout carries only the result, for scripts.
    if (flags.output === "json") io.out(`${terminalJson(result)}\n`);
  });
}

function registerList(iso: Command, io: Io): void {
  addVmClusterOptions(
    iso.command("list").description("list ISO volumes with size, checksum and the VMs using them"),
  )
    .addOption(outputOption(["table", "json"], "table"))
    .action(async (flags: ClusterFlags & { output: string }) => {
      const ctx = await clusterContext(flags);
      const rows = await listIsos(ctx.client, ctx.namespace);
      if (flags.output === "json") {
        io.out(`${terminalJson(rows)}\n`);
        return;
      }
      const table = [["NAME", "PHASE", "SIZE", "SHA256", "FILE", "USED BY"]];
      for (const row of rows) {
        table.push([
          row.name,
          row.phase ?? "-",
          row.size !== undefined ? String(row.size) : "-",
          row.sha256 ? `${row.sha256.slice(0, 16)}…` : "-",
          row.file ?? "-",
          row.usedBy.join(",") || "-",
        ]);
      }
      // Names, phases and file names come from the cluster: formatTable escapes them cell by cell.
      io.out(formatTable(table));
    });
}

const MODE_HELP = "live or maintenance (default: the one running, else the lab's default)";

/** attach, detach and eject: one change to the VM the flags name, then what the engine has to say. */
async function changeMedia(io: Io, ctx: ClusterContext, vm: string, flags: AttachFlags, change: MediaChange) {
  const outcome = await new KubeVirtEngine(ctx).changeMedia(vmTarget(ctx, vm, flags.mode), change, {
    restart: flags.restart === true,
  });
  for (const note of outcome.notes) io.out(`${note}\n`);
}

function registerAttach(iso: Command, io: Io): void {
  addVmClusterOptions(
    iso
      .command("attach")
      .description("attach an ISO as a CD-ROM booting first (the system disk boots second)")
      .argument("<vm>", "VM name from the lab (or a VirtualMachine name)")
      .option("--file <iso>", "upload this ISO first (reused when already uploaded), then attach it")
      .option("--volume <name>", "attach an existing ISO volume")
      .option(
        "--drivers [volume]",
        `add the virtio-win driver disk as a second CD-ROM (default volume: ${DEFAULT_DRIVERS_VOLUME})`,
      )
      .option("--mode <mode>", MODE_HELP)
      .option("--restart", "restart a running VM so it boots from the ISO now"),
    "--lab <lab>",
  ).action(async (vm: string, flags: AttachFlags) => {
    if (!!flags.file === !!flags.volume)
      throw new UsageError("give exactly one of --file ISO or --volume NAME");
    if (flags.file) await requireFile(flags.file);
    const ctx = await clusterContext(flags, flags.lab);
    let volume = flags.volume;
    if (flags.file) {
      const storageClass = ctx.lab?.storage.find((s) => s.key === "iso")?.name;
      const uploaded = await uploadIso({
        api: ctx.client,
        namespace: ctx.namespace,
        file: flags.file,
        name: volumeNameFor(basename(flags.file)),
        ...(storageClass ? { storageClass } : {}),
        reporter: uploadReporter(io),
      });
      volume = uploaded.name;
    }
    const drivers = flags.drivers === true ? DEFAULT_DRIVERS_VOLUME : flags.drivers || undefined;
    await changeMedia(io, ctx, vm, flags, {
      kind: "attach",
      volume: volume ?? "",
      ...(drivers ? { drivers } : {}),
    });
  });
}

function registerDetach(iso: Command, io: Io): void {
  addVmClusterOptions(
    iso
      .command("detach")
      .description("remove the CD-ROMs; the system disk boots first again (volumes are kept)")
      .argument("<vm>", "VM name from the lab (or a VirtualMachine name)")
      .option("--mode <mode>", MODE_HELP)
      .option("--restart", "restart a running VM so it boots from its system disk now"),
  ).action(async (vm: string, flags: AttachFlags) => {
    await changeMedia(io, await clusterContext(flags), vm, flags, { kind: "detach" });
  });
}

function registerEject(iso: Command, io: Io): void {
  addVmClusterOptions(
    iso
      .command("eject")
      .description(
        "take the medium out of the ISO drive and keep the drive, empty (KubeVirt ≥ 1.6 with DeclarativeHotplugVolumes)",
      )
      .argument("<vm>", "VM name from the lab (or a VirtualMachine name)")
      .option("--mode <mode>", MODE_HELP)
      .option("--restart", "restart a running VM whose medium went in at boot, so it is out now"),
  ).action(async (vm: string, flags: AttachFlags) => {
    await changeMedia(io, await clusterContext(flags), vm, flags, { kind: "eject" });
  });
}

export function registerIso(program: Command, io: Io): void {
  const iso = program.command("iso").description("installation ISOs: upload, list, attach, detach, eject");
  registerUpload(iso, io);
  registerList(iso, io);
  registerAttach(iso, io);
  registerDetach(iso, io);
  registerEject(iso, io);
}
