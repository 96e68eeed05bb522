/**
 * gpuvm vnc and gpuvm console end to end: VMIs in the real kube-apiserver (the simulator runs them), and
 * KubeVirt's vnc/console subresources reached as gpuvm reaches them in a cluster: through the API server,
 * which authenticates the kubeconfig's user and proxies the WebSocket through its aggregator to the
 * simulated subresource API, which bridges to real QEMU processes under TCG (the firmware's VNC screen and
 * a tiny Linux guest's serial port).
 */
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { KubeClient } from "../../src/cluster/client.js";
import { runConsole } from "../../src/cluster/console/serial.js";
import { startVncProxy } from "../../src/cluster/console/vnc-proxy.js";
import { requirePrerequisite } from "../support/prerequisites.js";
import { rfbHandshake } from "../support/rfb.js";
import { tempDir } from "../support/temp.js";
import { connectCluster, rawRequest } from "../test-cluster/harness.js";
import { type AggregatedApis, serveAggregatedApis } from "../test-cluster/sim/aggregated.js";
import { findBusybox, findKernel, GUEST_MARKER, writeInitramfs } from "../test-cluster/sim/guest-image.js";
import { type Simulator, startSimulator } from "../test-cluster/sim/index.js";
import { type QemuGuest, qemuBinary, startQemu } from "../test-cluster/sim/qemu.js";
import { createNamespace, must } from "./iso-support.js";

const cluster = connectCluster(inject("gpuvmCluster"));
const admin = cluster.kubeConfig("admin");
const ns = `console-${process.pid}`;
const dir = tempDir("gpuvm-console-");
const prepare = "run `bash test/prepare` (as root for the packages)";
const haveQemu = requirePrerequisite(
  "qemu-system-x86_64",
  qemuBinary() !== undefined,
  `the VNC and serial-console tests run QEMU guests; ${prepare}`,
);
const haveGuest =
  haveQemu &&
  requirePrerequisite(
    "guest kernel",
    findKernel() !== undefined,
    `the serial-console test boots it from ~/.cache/gpuvm/guest-kernel; ${prepare}`,
  ) &&
  requirePrerequisite(
    "busybox (busybox-static)",
    findBusybox() !== undefined,
    `the serial-console guest's initramfs runs it; ${prepare}`,
  );
let sim: Simulator;
let apis: AggregatedApis;
const guests: QemuGuest[] = [];

function vm(name: string) {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name, namespace: ns, labels: { "gpuvm.io/vm": name } },
    spec: {
      runStrategy: "Halted",
      template: {
        spec: {
          domain: { cpu: { cores: 1 }, memory: { guest: "256Mi" }, devices: { disks: [] } },
        },
      },
    },
  };
}

async function waitForVmi(name: string, wanted: "Running" | "gone"): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const r = await rawRequest(
      admin,
      "GET",
      `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${name}`,
    );
    if (
      wanted === "gone" ? r.status === 404 : r.status === 200 && (r.body as any).status?.phase === "Running"
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`VMI ${name} never became ${wanted}`);
}

beforeAll(async () => {
  await createNamespace(admin, ns);
  sim = await startSimulator(admin, { namespace: ns });
  apis = await serveAggregatedApis(admin, cluster, sim);
  for (const name of ["desktop", "serial"]) {
    await must(
      admin,
      "POST",
      `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines?fieldValidation=Strict`,
      vm(name),
    );
  }
});

afterAll(async () => {
  for (const guest of guests) await guest.stop();
  await apis?.stop();
  await sim?.close();
});

describe.runIf(haveQemu)("gpuvm vnc", () => {
  it("serves several clients at once and the next client after a reboot, without restarting", async () => {
    const lines: string[] = [];
    const api = new KubeClient(admin);
    const proxy = await startVncProxy({
      api,
      namespace: ns,
      vm: "desktop",
      port: 0,
      retryEveryMs: 250,
      log: (line) => lines.push(line),
    });
    try {
      expect(proxy.address).toBe("127.0.0.1");
      const first = await startQemu({ dir, name: "desktop-1" });
      guests.push(first);
      // The QEMU is there before its VMI runs, as virt-launcher's is.
      apis.backends.set(`${ns}/desktop`, { vnc: first.vncSocket });
      await sim.start(ns, "desktop");
      await waitForVmi("desktop", "Running");

      const [a, b] = await Promise.all([rfbHandshake(proxy.port), rfbHandshake(proxy.port)]);
      for (const session of [a, b]) {
        expect(session.version).toBe("RFB 003.008");
        expect(session.width).toBeGreaterThan(0);
        expect(session.rectangles).toBeGreaterThan(0);
      }

      // Reboot: the VMI goes away, QEMU with it; a new VMI comes up with a new QEMU.
      await sim.stop(ns, "desktop");
      await waitForVmi("desktop", "gone");
      apis.backends.delete(`${ns}/desktop`);
      await first.stop();
      const waiting = rfbHandshake(proxy.port, "127.0.0.1", 60_000);
      await new Promise((resolve) => setTimeout(resolve, 600));
      const second = await startQemu({ dir, name: "desktop-2" });
      guests.push(second);
      apis.backends.set(`${ns}/desktop`, { vnc: second.vncSocket });
      await sim.start(ns, "desktop");
      await waitForVmi("desktop", "Running");
      const after = await waiting;
      expect(after.rectangles).toBeGreaterThan(0);
      expect(lines.some((line) => /client 3: .*desktop is not running; retrying/.test(line))).toBe(true);
      // Every client went through the API server as the kubeconfig's user.
      const vnc = `GET /apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/desktop/vnc`;
      expect(apis.requests.filter((r) => r.startsWith(vnc))).toEqual(
        Array(3).fill(`${vnc} (upgrade by admin)`),
      );
    } finally {
      await proxy.close();
    }
  }, 120_000);
});

describe.runIf(haveGuest)("gpuvm console", () => {
  it("reaches a real guest's serial port both ways and leaves on Ctrl-]", async () => {
    const initrd = join(dir, "initrd.cpio");
    writeInitramfs(initrd);
    const kernel = findKernel() as string;
    const guest = await startQemu({ dir, name: "serial", kernel, initrd });
    guests.push(guest);
    apis.backends.set(`${ns}/serial`, { console: guest.serialSocket });
    await sim.start(ns, "serial");
    await waitForVmi("serial", "Running");

    const input = new PassThrough();
    const output = new PassThrough();
    let seen = "";
    output.on("data", (chunk: Buffer) => {
      seen += chunk.toString("latin1");
    });
    const logs: string[] = [];
    const session = runConsole({
      api: new KubeClient(admin),
      namespace: ns,
      vm: "serial",
      input,
      output,
      log: (line) => logs.push(line),
    });
    const until = async (text: string, ms: number) => {
      const deadline = Date.now() + ms;
      while (!seen.includes(text)) {
        if (Date.now() > deadline) throw new Error(`no "${text}" on the console; got: ${seen.slice(-400)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    // TCG boots slowly; the marker comes from the guest's /init.
    await until(GUEST_MARKER, 90_000);
    input.write("echo $((6*7))-answer\n");
    await until("42-answer", 20_000);
    input.write(Buffer.from([0x1d]));
    await expect(session).resolves.toBe("escape");
    expect(logs[0]).toContain("press Ctrl-] to leave");
  }, 150_000);
});
