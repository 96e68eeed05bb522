/**
 * KubeVirt / CDI behaviour simulator for gpuvm's integration tests (test code,
 * never shipped; see README.md next to this file). It watches the real test API
 * server and plays the controllers' part: VirtualMachine → VirtualMachineInstance
 * → phases and status, DataVolume → PersistentVolumeClaim + phases.
 */
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1PersistentVolumeClaim,
  Watch,
} from "@kubernetes/client-node";

type Obj = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { uid: string; kind: string; name: string }[];
    deletionTimestamp?: string;
    resourceVersion?: string;
  };
  spec?: any;
  status?: any;
};

export type SimDelays = {
  /** VMI Pending → Scheduling */
  scheduling: number;
  /** VMI Scheduling → Scheduled */
  scheduled: number;
  /** VMI Scheduled → Running */
  running: number;
  /** VM Stopping → VMI deleted */
  stopping: number;
  /** DataVolume Pending → ImportScheduled / UploadScheduled */
  dvScheduled: number;
  /** ImportScheduled → ImportInProgress → Succeeded, UploadScheduled → UploadReady (each step) */
  dvProgress: number;
};

export type SimOptions = {
  /** Only act on objects in this namespace (default: all namespaces). */
  namespace?: string;
  /** Milliseconds for each transition (default 50 each). */
  delays?: Partial<SimDelays>;
  /** Node name reported for running VMIs (default "sim-node-1"). */
  nodeName?: string;
  /** IP reported for interface `index` of a running VMI (default 10.244.<n>.<index+10>). */
  ipFor?: (vmi: Obj, iface: { name: string; mac: string }, index: number) => string | undefined;
  log?: (msg: string) => void;
};

export type Simulator = {
  /** Ask to start a VM the way `virtctl start` (the start subresource) does. */
  start(namespace: string, name: string): Promise<void>;
  /** Ask to stop a VM the way `virtctl stop` does. */
  stop(namespace: string, name: string): Promise<void>;
  /** Ask to restart a VM the way `virtctl restart` does. */
  restart(namespace: string, name: string): Promise<void>;
  /** Finish an upload to a DataVolume in phase UploadReady (as the upload proxy would). */
  completeUpload(namespace: string, name: string): Promise<void>;
  /** Errors the simulator met (API failures other than expected conflicts). */
  readonly errors: Error[];
  /** Stops every watch and timer. */
  close(): Promise<void>;
};

const KV = { group: "kubevirt.io", version: "v1" };
const CDI = { group: "cdi.kubevirt.io", version: "v1beta1" };

/** KubeVirt's wording (virt-controller renders the launcher pod and fails with these). */
export const RENDER_ERROR_PREFIX = "failed to render launch manifest: ";
export const notPermittedMessage = (kind: "GPU" | "HostDevice", deviceName: string): string =>
  `${kind} ${deviceName} is not permitted in permittedHostDevices configuration`;

class SimError extends Error {}

export async function startSimulator(kc: KubeConfig, opts: SimOptions = {}): Promise<Simulator> {
  const sim = new Sim(kc, opts);
  await sim.open();
  return sim;
}

class Sim implements Simulator {
  readonly errors: Error[] = [];
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly delays: SimDelays;
  private readonly aborts: AbortController[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly busy = new Set<string>();
  private readonly again = new Map<string, () => Promise<void>>();
  private readonly seen = new Map<string, number>();
  private closed = false;
  private ipCounter = 0;

  constructor(
    private readonly kc: KubeConfig,
    private readonly opts: SimOptions,
  ) {
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
    this.delays = {
      scheduling: 50,
      scheduled: 50,
      running: 50,
      stopping: 50,
      dvScheduled: 50,
      dvProgress: 50,
      ...opts.delays,
    };
  }

  async open(): Promise<void> {
    const ns = this.opts.namespace;
    const path = (group: string, version: string, plural: string) =>
      ns ? `/apis/${group}/${version}/namespaces/${ns}/${plural}` : `/apis/${group}/${version}/${plural}`;
    await Promise.all([
      this.watch(path(KV.group, KV.version, "virtualmachines"), (o) => this.kickVm(o.metadata)),
      this.watch(path(KV.group, KV.version, "virtualmachineinstances"), (o, type) => {
        this.kickVmi(o.metadata);
        const owner = o.metadata.ownerReferences?.find((r) => r.kind === "VirtualMachine");
        if (owner || type === "DELETED")
          this.kickVm({ namespace: o.metadata.namespace, name: owner?.name ?? o.metadata.name });
      }),
      // A change of the KubeVirt CR may permit devices of Pending VMIs.
      this.watch(`/apis/${KV.group}/${KV.version}/kubevirts`, () => this.kickAllVmis()),
      this.watch(path(CDI.group, CDI.version, "datavolumes"), (o) => this.kickDv(o.metadata)),
    ]);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const a of this.aborts) a.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  // --- plumbing -------------------------------------------------------------

  private log(msg: string): void {
    this.opts.log?.(`[sim] ${msg}`);
  }

  private report(e: unknown): void {
    if (this.closed) return;
    const err = e instanceof Error ? e : new Error(String(e));
    this.errors.push(err);
    this.log(`error: ${err.message}`);
  }

  private async watch(path: string, onEvent: (o: Obj, type: string) => void): Promise<void> {
    const w = new Watch(this.kc);
    let refusals = 0;
    const start = async (): Promise<void> => {
      if (this.closed) return;
      const ctrl = await w.watch(
        path,
        { allowWatchBookmarks: false },
        (type: string, obj: Obj) => {
          refusals = 0;
          if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") onEvent(obj, type);
        },
        (err: unknown) => {
          if (this.closed) return;
          // 429: the server's watch cache for this resource is still filling (a fresh or restarted
          // server); it is expected and says nothing is wrong, so retry quietly, backing off to 3.2 s.
          const refused = (err as { statusCode?: number } | null)?.statusCode === 429;
          refusals = refused ? refusals + 1 : 0;
          if (err && !refused && !(err instanceof Error && err.name === "AbortError"))
            this.log(`watch ${path} ended: ${err}`);
          this.later(
            refused ? Math.min(100 * 2 ** refusals, 3200) : 200,
            () => void start().catch((e) => this.report(e)),
          );
        },
      );
      this.aborts.push(ctrl);
    };
    await start();
  }

  private later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(t);
  }

  /** Runs fn for key, never twice at once; a kick while busy runs it once more afterwards. */
  private kick(key: string, fn: () => Promise<void>): void {
    if (this.closed) return;
    if (this.busy.has(key)) {
      this.again.set(key, fn);
      return;
    }
    this.busy.add(key);
    void (async () => {
      let next: (() => Promise<void>) | undefined = fn;
      while (next && !this.closed) {
        try {
          await next();
        } catch (e) {
          if (e instanceof ApiException && e.code === 409) {
            this.later(20, () => this.kick(key, fn)); // optimistic-concurrency conflict: retry
          } else {
            this.report(e);
          }
        }
        next = this.again.get(key);
        this.again.delete(key);
      }
      this.busy.delete(key);
    })();
  }

  /** True once `ms` have passed since `key` was first asked about; else re-kicks later. */
  private due(key: string, ms: number, rekick: () => void): boolean {
    const first = this.seen.get(key);
    const now = Date.now();
    if (first === undefined) this.seen.set(key, now);
    const elapsed = now - (first ?? now);
    if (elapsed >= ms) return true;
    this.later(ms - elapsed, rekick);
    return false;
  }

  private inScope(ns: string | undefined): boolean {
    return !this.opts.namespace || ns === this.opts.namespace;
  }

  private async get(api: { group: string; version: string }, plural: string, ns: string, name: string) {
    try {
      return (await this.custom.getNamespacedCustomObject({ ...api, plural, namespace: ns, name })) as Obj;
    } catch (e) {
      if (e instanceof ApiException && e.code === 404) return undefined;
      throw e;
    }
  }

  /**
   * Writes `status` (plus `labels` when given) with a PUT of the object as read:
   * its resourceVersion makes a stale write a 409 Conflict, never a lost update.
   */
  private async setStatus(
    api: { group: string; version: string },
    plural: string,
    obj: Obj,
    status: unknown,
    subresource: boolean,
    labels?: Record<string, string>,
  ): Promise<void> {
    const body = { ...obj, metadata: labels ? { ...obj.metadata, labels } : obj.metadata, status };
    const args = { ...api, plural, namespace: obj.metadata.namespace ?? "", name: obj.metadata.name, body };
    if (subresource) await this.custom.replaceNamespacedCustomObjectStatus(args);
    else await this.custom.replaceNamespacedCustomObject(args);
  }

  // --- VirtualMachine -------------------------------------------------------

  private kickVm(m: { namespace?: string; name: string }): void {
    if (!m.namespace || !this.inScope(m.namespace)) return;
    const ns = m.namespace;
    this.kick(`vm/${ns}/${m.name}`, () => this.reconcileVm(ns, m.name));
  }

  private async reconcileVm(ns: string, name: string): Promise<void> {
    const vm = await this.get(KV, "virtualmachines", ns, name);
    const vmi = await this.get(KV, "virtualmachineinstances", ns, name);
    if (!vm || vm.metadata.deletionTimestamp) {
      // No garbage collector runs in the test cluster: remove what KubeVirt's would.
      if (vmi?.metadata.ownerReferences?.some((r) => r.kind === "VirtualMachine")) {
        await this.deleteVmi(ns, name);
      }
      return;
    }
    await this.ensureDataVolumes(vm);

    const requests: { action: string; uid?: string }[] = vm.status?.stateChangeRequests ?? [];
    const strategy: string =
      vm.spec?.runStrategy ??
      (vm.spec?.running === true ? "Always" : vm.spec?.running === false ? "Halted" : "Halted");
    const vmiPhase: string | undefined = vmi?.status?.phase;
    const vmiFinal = vmiPhase === "Succeeded" || vmiPhase === "Failed";
    const vmiLive = vmi && !vmi.metadata.deletionTimestamp && !vmiFinal;
    let remaining = requests;
    let stopping = false;

    const first = requests[0];
    if (first?.action === "Stop") {
      if (vmi && (!first.uid || first.uid === vmi.metadata.uid)) {
        stopping = true;
        if (this.due(`stop/${vmi.metadata.uid}`, this.delays.stopping, () => this.kickVm(vm.metadata))) {
          await this.deleteVmi(ns, name);
        }
      } else {
        remaining = requests.slice(1);
      }
    } else if (first?.action === "Start") {
      if (!vmi) await this.createVmi(vm);
      remaining = requests.slice(1);
    } else {
      const wantRunning =
        strategy === "Always" ||
        (strategy === "RerunOnFailure" && vmiPhase !== "Succeeded") ||
        (strategy === "Manual" && !!vmiLive) ||
        (strategy === "Once" && !vm.status?.created && !vmi);
      if (wantRunning && (!vmi || (vmiFinal && strategy !== "Manual"))) {
        if (vmi) await this.deleteVmi(ns, name);
        else await this.createVmi(vm);
      } else if (!wantRunning && vmi) {
        stopping = !vmiFinal;
        const key = `stop/${vmi.metadata.uid}`;
        if (vmiFinal || this.due(key, this.delays.stopping, () => this.kickVm(vm.metadata))) {
          await this.deleteVmi(ns, name);
        }
      }
    }

    let current = await this.get(KV, "virtualmachineinstances", ns, name);
    if (current && !stopping) current = await this.syncHotplugVolumes(vm, current);
    const phase: string | undefined = current?.status?.phase;
    const running = phase === "Running";
    let printable: string;
    if (stopping && current) printable = "Stopping";
    else if (!current) printable = "Stopped";
    else if (running) printable = "Running";
    else if (phase === "Succeeded") printable = "Succeeded";
    else if (phase === "Failed") printable = "Failed";
    else printable = "Starting";
    const status = {
      ...(vm.status ?? {}),
      printableStatus: printable,
      ready: running,
      created: !!current,
      runStrategy: strategy,
      conditions: [
        {
          type: "Ready",
          status: running ? "True" : "False",
          ...(running ? {} : { reason: current ? "NotReady" : "VMINotExists" }),
          lastProbeTime: null,
          lastTransitionTime: null,
        },
      ],
      stateChangeRequests: remaining.length > 0 ? remaining : undefined,
    };
    if (status.stateChangeRequests === undefined) delete status.stateChangeRequests;
    if (JSON.stringify(status) !== JSON.stringify(vm.status ?? {})) {
      const fresh = await this.get(KV, "virtualmachines", ns, name);
      if (!fresh) return;
      // Keep requests added since we read the VM (a start/stop racing this write).
      const added = (fresh.status?.stateChangeRequests ?? []).slice(requests.length);
      const merged = { ...status, stateChangeRequests: [...remaining, ...added] };
      if (merged.stateChangeRequests.length === 0)
        delete (merged as { stateChangeRequests?: unknown }).stateChangeRequests;
      await this.setStatus(KV, "virtualmachines", fresh, merged, true);
      this.log(`vm ${ns}/${name}: ${printable}`);
    }
  }

  /**
   * KubeVirt ≥ 1.6 with DeclarativeHotplugVolumes: the VM controller carries the VM's hotpluggable volumes
   * into the running VMI's spec (a CD-ROM medium inserted or ejected); the volumes it booted with stay.
   */
  private async syncHotplugVolumes(vm: Obj, vmi: Obj): Promise<Obj> {
    type Volume = {
      dataVolume?: { hotpluggable?: boolean };
      persistentVolumeClaim?: { hotpluggable?: boolean };
    };
    const hot = (v: Volume) =>
      v.dataVolume?.hotpluggable === true || v.persistentVolumeClaim?.hotpluggable === true;
    const booted: Volume[] = (vmi.spec?.volumes ?? []).filter((v: Volume) => !hot(v));
    const wanted = [...booted, ...((vm.spec?.template?.spec?.volumes ?? []) as Volume[]).filter(hot)];
    if (JSON.stringify(wanted) === JSON.stringify(vmi.spec?.volumes ?? [])) return vmi;
    const gates: string[] = (await this.kubevirtConfiguration())?.developerConfiguration?.featureGates ?? [];
    if (!gates.includes("DeclarativeHotplugVolumes")) return vmi;
    const body = { ...vmi, spec: { ...vmi.spec, volumes: wanted } };
    const updated = (await this.custom.replaceNamespacedCustomObject({
      ...KV,
      plural: "virtualmachineinstances",
      namespace: vmi.metadata.namespace ?? "",
      name: vmi.metadata.name,
      body,
    })) as Obj;
    this.log(`vmi ${vmi.metadata.namespace}/${vmi.metadata.name}: hotplug volumes synced`);
    return updated;
  }

  private async createVmi(vm: Obj): Promise<void> {
    const template = vm.spec?.template ?? {};
    const ns = vm.metadata.namespace ?? "";
    const body: Obj = {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstance",
      metadata: {
        name: vm.metadata.name,
        namespace: ns,
        labels: { ...(template.metadata?.labels ?? {}), "kubevirt.io/vm": vm.metadata.name },
        annotations: { ...(template.metadata?.annotations ?? {}) },
        ownerReferences: [
          {
            apiVersion: "kubevirt.io/v1",
            kind: "VirtualMachine",
            name: vm.metadata.name,
            uid: vm.metadata.uid ?? "",
            controller: true,
            blockOwnerDeletion: true,
          } as { uid: string; kind: string; name: string },
        ],
      },
      spec: template.spec ?? {},
      status: { phase: "Pending" },
    };
    try {
      await this.custom.createNamespacedCustomObject({
        ...KV,
        plural: "virtualmachineinstances",
        namespace: ns,
        body,
      });
      this.log(`vmi ${ns}/${vm.metadata.name}: created`);
    } catch (e) {
      if (!(e instanceof ApiException && e.code === 409)) throw e;
    }
  }

  private async deleteVmi(ns: string, name: string): Promise<void> {
    try {
      await this.custom.deleteNamespacedCustomObject({
        ...KV,
        plural: "virtualmachineinstances",
        namespace: ns,
        name,
      });
      this.log(`vmi ${ns}/${name}: deleted`);
    } catch (e) {
      if (!(e instanceof ApiException && e.code === 404)) throw e;
    }
  }

  private async ensureDataVolumes(vm: Obj): Promise<void> {
    const ns = vm.metadata.namespace ?? "";
    for (const t of (vm.spec?.dataVolumeTemplates ?? []) as Obj[]) {
      const name = t.metadata?.name;
      if (!name || (await this.get(CDI, "datavolumes", ns, name))) continue;
      const body = {
        apiVersion: "cdi.kubevirt.io/v1beta1",
        kind: "DataVolume",
        metadata: {
          ...t.metadata,
          name,
          namespace: ns,
          ownerReferences: [
            {
              apiVersion: "kubevirt.io/v1",
              kind: "VirtualMachine",
              name: vm.metadata.name,
              uid: vm.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: t.spec,
      };
      try {
        await this.custom.createNamespacedCustomObject({
          ...CDI,
          plural: "datavolumes",
          namespace: ns,
          body,
        });
      } catch (e) {
        if (!(e instanceof ApiException && e.code === 409)) throw e;
      }
    }
  }

  async start(ns: string, name: string): Promise<void> {
    await this.changeRequest(ns, name, "start");
  }
  async stop(ns: string, name: string): Promise<void> {
    await this.changeRequest(ns, name, "stop");
  }
  async restart(ns: string, name: string): Promise<void> {
    await this.changeRequest(ns, name, "restart");
  }

  /** What KubeVirt's start/stop/restart subresources do to the VM object. */
  private async changeRequest(ns: string, name: string, verb: "start" | "stop" | "restart"): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const vm = await this.get(KV, "virtualmachines", ns, name);
      if (!vm) throw new SimError(`virtualmachines.kubevirt.io "${name}" not found`);
      const vmi = await this.get(KV, "virtualmachineinstances", ns, name);
      const strategy: string = vm.spec?.runStrategy ?? (vm.spec?.running ? "Always" : "Halted");
      const requests = [...(vm.status?.stateChangeRequests ?? [])];
      let specStrategy: string | undefined;
      if (verb === "start") {
        if (vmi?.status?.phase === "Running") throw new SimError(`VM is already running`);
        if (strategy === "Halted") specStrategy = "Always";
        else if (strategy === "Manual") requests.push({ action: "Start" });
        else throw new SimError(`${strategy} does not support manual start requests`);
      } else if (verb === "stop") {
        if (!vmi && strategy !== "Always" && strategy !== "RerunOnFailure")
          throw new SimError("VM is not running");
        if (strategy === "Manual") requests.push({ action: "Stop", uid: vmi?.metadata.uid });
        else specStrategy = "Halted";
      } else {
        if (strategy === "Halted") throw new SimError(`${strategy} does not support manual restart requests`);
        if (!vmi) throw new SimError("VM is not running");
        requests.push({ action: "Stop", uid: vmi.metadata.uid }, { action: "Start" });
      }
      try {
        if (specStrategy) {
          const spec = { ...vm.spec, runStrategy: specStrategy };
          delete spec.running;
          await this.custom.replaceNamespacedCustomObject({
            ...KV,
            plural: "virtualmachines",
            namespace: ns,
            name,
            body: { ...vm, spec },
          });
        } else {
          await this.setStatus(
            KV,
            "virtualmachines",
            vm,
            { ...(vm.status ?? {}), stateChangeRequests: requests },
            true,
          );
        }
        return;
      } catch (e) {
        if (!(e instanceof ApiException && e.code === 409) || attempt > 20) throw e;
      }
    }
  }

  // --- VirtualMachineInstance -----------------------------------------------

  private kickVmi(m: { namespace?: string; name: string }): void {
    if (!m.namespace || !this.inScope(m.namespace)) return;
    const ns = m.namespace;
    this.kick(`vmi/${ns}/${m.name}`, () => this.reconcileVmi(ns, m.name));
  }

  private async kickAllVmis(): Promise<void> {
    // Called from a watch callback nobody awaits: every failure must end here, not as an unhandled rejection.
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        const list = (
          this.opts.namespace
            ? await this.custom.listNamespacedCustomObject({
                ...KV,
                plural: "virtualmachineinstances",
                namespace: this.opts.namespace,
              })
            : await this.custom.listClusterCustomObject({ ...KV, plural: "virtualmachineinstances" })
        ) as { items: Obj[] };
        for (const vmi of list.items) this.kickVmi(vmi.metadata);
        return;
      } catch (error) {
        // A (re)starting server answers 429 while its caches fill: list again shortly.
        if ((error as { code?: number }).code === 429 && attempt < 100) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          continue;
        }
        this.report(error);
        return;
      }
    }
  }

  /** spec.configuration of the cluster's KubeVirt CR (the first one, as KubeVirt's operator allows one). */
  private async kubevirtConfiguration(): Promise<Obj["spec"]> {
    const kvs = (await this.custom.listClusterCustomObject({ ...KV, plural: "kubevirts" })) as {
      items: Obj[];
    };
    return kvs.items[0]?.spec?.configuration;
  }

  /** KubeVirt's check of gpus/hostDevices against permittedHostDevices (nil means no check). */
  private async permissionErrors(vmi: Obj): Promise<string[]> {
    const devices = vmi.spec?.domain?.devices ?? {};
    const gpus: { deviceName?: string }[] = devices.gpus ?? [];
    const hostDevices: { deviceName?: string }[] = devices.hostDevices ?? [];
    if (gpus.length === 0 && hostDevices.length === 0) return [];
    const permitted = (await this.kubevirtConfiguration())?.permittedHostDevices;
    if (!permitted) return [];
    const names = new Set<string>();
    for (const list of [permitted.pciHostDevices, permitted.mediatedDevices, permitted.usb]) {
      for (const d of (list ?? []) as { resourceName?: string }[])
        if (d.resourceName) names.add(d.resourceName);
    }
    const errors: string[] = [];
    for (const g of gpus)
      if (!names.has(g.deviceName ?? "")) errors.push(notPermittedMessage("GPU", g.deviceName ?? ""));
    for (const h of hostDevices) {
      if (!names.has(h.deviceName ?? "")) errors.push(notPermittedMessage("HostDevice", h.deviceName ?? ""));
    }
    return errors;
  }

  private async reconcileVmi(ns: string, name: string): Promise<void> {
    const vmi = await this.get(KV, "virtualmachineinstances", ns, name);
    if (!vmi || vmi.metadata.deletionTimestamp) return;
    const uid = vmi.metadata.uid ?? "";
    const status = vmi.status ?? {};
    const phase: string = status.phase ?? "";
    const rekick = () => this.kickVmi(vmi.metadata);
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const transitions = [...(status.phaseTransitionTimestamps ?? [])];
    const to = (p: string) => [...transitions, { phase: p, phaseTransitionTimestamp: now }];
    let next: Record<string, unknown> | undefined;

    if (phase === "") {
      next = { ...status, phase: "Pending", phaseTransitionTimestamps: to("Pending") };
    } else if (phase === "Pending") {
      const errors = await this.permissionErrors(vmi);
      if (errors.length > 0) {
        const message = `${RENDER_ERROR_PREFIX}${errors.join(" ")}`;
        const cond = { type: "Synchronized", status: "False", reason: "FailedCreate", message };
        const others = (status.conditions ?? []).filter((c: { type: string }) => c.type !== "Synchronized");
        const had = (status.conditions ?? []).find((c: { type: string }) => c.type === "Synchronized");
        if (had?.message !== message) next = { ...status, conditions: [...others, cond] };
        this.seen.delete(`${uid}/Pending`);
      } else if (this.due(`${uid}/Pending`, this.delays.scheduling, rekick)) {
        const conditions = (status.conditions ?? []).filter(
          (c: { type: string }) => c.type !== "Synchronized",
        );
        next = { ...status, phase: "Scheduling", conditions, phaseTransitionTimestamps: to("Scheduling") };
      }
    } else if (phase === "Scheduling") {
      if (this.due(`${uid}/Scheduling`, this.delays.scheduled, rekick)) {
        next = {
          ...status,
          phase: "Scheduled",
          nodeName: this.opts.nodeName ?? "sim-node-1",
          phaseTransitionTimestamps: to("Scheduled"),
        };
      }
    } else if (phase === "Scheduled") {
      if (this.due(`${uid}/Scheduled`, this.delays.running, rekick)) {
        next = {
          ...status,
          phase: "Running",
          interfaces: this.interfaces(vmi),
          conditions: [
            ...(status.conditions ?? []).filter((c: { type: string }) => c.type !== "Ready"),
            { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: now },
          ],
          phaseTransitionTimestamps: to("Running"),
        };
      }
    }
    if (!next) return;
    // KubeVirt labels the VMI with its node once scheduled.
    const nodeName = (next.nodeName ?? status.nodeName) as string | undefined;
    const labels =
      nodeName && (next.phase === "Scheduled" || next.phase === "Running")
        ? { ...(vmi.metadata.labels ?? {}), "kubevirt.io/nodeName": nodeName }
        : undefined;
    await this.setStatus(KV, "virtualmachineinstances", vmi, next, false, labels);
    this.log(`vmi ${ns}/${name}: ${next.phase}`);
  }

  private interfaces(vmi: Obj): unknown[] {
    const ifaces: { name: string; macAddress?: string }[] = vmi.spec?.domain?.devices?.interfaces ?? [];
    const n = ++this.ipCounter;
    return ifaces.map((iface, index) => {
      const mac = iface.macAddress ?? `02:00:00:${hex(n >> 8)}:${hex(n)}:${hex(index)}`;
      const ip = this.opts.ipFor
        ? this.opts.ipFor(vmi, { name: iface.name, mac }, index)
        : `10.244.${n % 250}.${index + 10}`;
      return {
        name: iface.name,
        mac,
        interfaceName: `eth${index}`,
        infoSource: "domain, guest-agent",
        ...(ip ? { ipAddress: ip, ipAddresses: [ip] } : {}),
      };
    });
  }

  // --- DataVolume -----------------------------------------------------------

  private kickDv(m: { namespace?: string; name: string }): void {
    if (!m.namespace || !this.inScope(m.namespace)) return;
    const ns = m.namespace;
    this.kick(`dv/${ns}/${m.name}`, () => this.reconcileDv(ns, m.name));
  }

  private async reconcileDv(ns: string, name: string): Promise<void> {
    const dv = await this.get(CDI, "datavolumes", ns, name);
    if (!dv || dv.metadata.deletionTimestamp) {
      // Garbage collection of the PVC the DataVolume owned.
      const pvc = await this.readPvc(ns, name);
      if (
        pvc?.metadata?.ownerReferences?.some(
          (r) => r.kind === "DataVolume" && (!dv || r.uid === dv.metadata.uid),
        )
      ) {
        await this.core.deleteNamespacedPersistentVolumeClaim({ namespace: ns, name });
      }
      return;
    }
    const uid = dv.metadata.uid ?? "";
    const status = dv.status ?? {};
    const phase: string = status.phase ?? "";
    const upload = !!dv.spec?.source?.upload;
    const rekick = () => this.kickDv(dv.metadata);
    let next: Record<string, unknown> | undefined;

    if (phase === "") {
      await this.ensurePvc(dv);
      next = {
        ...status,
        phase: "Pending",
        claimName: name,
        progress: "N/A",
        conditions: dvConditions(false, false),
      };
    } else if (phase === "Pending" || phase === "WaitForFirstConsumer") {
      if (await this.waitsForFirstConsumer(dv)) {
        if (phase !== "WaitForFirstConsumer") next = { ...status, phase: "WaitForFirstConsumer" };
      } else if (this.due(`${uid}/Pending`, this.delays.dvScheduled, rekick)) {
        await this.bindPvc(ns, name);
        next = {
          ...status,
          phase: upload ? "UploadScheduled" : "ImportScheduled",
          conditions: dvConditions(true, false),
        };
      }
    } else if (phase === "UploadScheduled") {
      if (this.due(`${uid}/UploadScheduled`, this.delays.dvProgress, rekick))
        next = { ...status, phase: "UploadReady" };
    } else if (phase === "ImportScheduled") {
      if (this.due(`${uid}/ImportScheduled`, this.delays.dvProgress, rekick)) {
        next = { ...status, phase: "ImportInProgress", progress: "50.00%" };
      }
    } else if (phase === "ImportInProgress") {
      if (this.due(`${uid}/ImportInProgress`, this.delays.dvProgress, rekick)) {
        next = { ...status, phase: "Succeeded", progress: "100.0%", conditions: dvConditions(true, true) };
      }
    }
    if (!next) return;
    await this.setStatus(CDI, "datavolumes", dv, next, true);
    this.log(`dv ${ns}/${name}: ${next.phase}`);
  }

  async completeUpload(ns: string, name: string): Promise<void> {
    const dv = await this.get(CDI, "datavolumes", ns, name);
    if (!dv) throw new SimError(`datavolumes.cdi.kubevirt.io "${name}" not found`);
    if (dv.status?.phase !== "UploadReady")
      throw new SimError(`DataVolume ${name} is ${dv.status?.phase}, not UploadReady`);
    await this.setStatus(
      CDI,
      "datavolumes",
      dv,
      { ...dv.status, phase: "Succeeded", progress: "100.0%", conditions: dvConditions(true, true) },
      true,
    );
  }

  private async readPvc(ns: string, name: string): Promise<V1PersistentVolumeClaim | undefined> {
    try {
      return await this.core.readNamespacedPersistentVolumeClaim({ namespace: ns, name });
    } catch (e) {
      if (e instanceof ApiException && e.code === 404) return undefined;
      throw e;
    }
  }

  private async ensurePvc(dv: Obj): Promise<void> {
    const ns = dv.metadata.namespace ?? "";
    if (await this.readPvc(ns, dv.metadata.name)) return;
    const pvcSpec = dv.spec?.pvc ?? {};
    const storage = dv.spec?.storage ?? {};
    const spec = {
      accessModes: pvcSpec.accessModes ?? storage.accessModes ?? ["ReadWriteOnce"],
      resources: pvcSpec.resources ?? storage.resources ?? { requests: { storage: "1Gi" } },
      ...((pvcSpec.storageClassName ?? storage.storageClassName)
        ? { storageClassName: pvcSpec.storageClassName ?? storage.storageClassName }
        : {}),
      ...((pvcSpec.volumeMode ?? storage.volumeMode)
        ? { volumeMode: pvcSpec.volumeMode ?? storage.volumeMode }
        : {}),
    };
    try {
      await this.core.createNamespacedPersistentVolumeClaim({
        namespace: ns,
        body: {
          metadata: {
            name: dv.metadata.name,
            namespace: ns,
            labels: { app: "containerized-data-importer", "app.kubernetes.io/component": "storage" },
            ownerReferences: [
              {
                apiVersion: "cdi.kubevirt.io/v1beta1",
                kind: "DataVolume",
                name: dv.metadata.name,
                uid: dv.metadata.uid ?? "",
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec,
        },
      });
    } catch (e) {
      if (!(e instanceof ApiException && e.code === 409)) throw e;
    }
  }

  /** The PVC's StorageClass binds WaitForFirstConsumer and nothing consumes it yet. */
  private async waitsForFirstConsumer(dv: Obj): Promise<boolean> {
    const ns = dv.metadata.namespace ?? "";
    const pvc = await this.readPvc(ns, dv.metadata.name);
    if (!pvc || pvc.status?.phase === "Bound") return false;
    const scName = pvc.spec?.storageClassName;
    if (!scName) return false;
    try {
      const { StorageV1Api } = await import("@kubernetes/client-node");
      const sc = await this.kc.makeApiClient(StorageV1Api).readStorageClass({ name: scName });
      return sc.volumeBindingMode === "WaitForFirstConsumer";
    } catch (e) {
      if (e instanceof ApiException && e.code === 404) return false;
      throw e;
    }
  }

  /** Plays the provisioner: the PVC reports Bound. */
  private async bindPvc(ns: string, name: string): Promise<void> {
    const pvc = await this.readPvc(ns, name);
    if (!pvc || pvc.status?.phase === "Bound") return;
    await this.core.patchNamespacedPersistentVolumeClaimStatus({
      namespace: ns,
      name,
      body: [
        {
          op: "add",
          path: "/status",
          value: {
            phase: "Bound",
            accessModes: pvc.spec?.accessModes,
            capacity: pvc.spec?.resources?.requests ?? {},
          },
        },
      ],
    });
  }
}

function dvConditions(bound: boolean, ready: boolean): unknown[] {
  return [
    { type: "Bound", status: bound ? "True" : "False", reason: bound ? "Bound" : "Pending" },
    { type: "Ready", status: ready ? "True" : "False" },
    { type: "Running", status: "False", reason: ready ? "Completed" : "Pending" },
  ];
}

function hex(n: number): string {
  return (n & 0xff).toString(16).padStart(2, "0");
}
