// A worker pool's KubevirtMachineTemplate in the shape of clusterctl's cluster-template.yaml (seed 004):
// runStrategy Always, evictionStrategy External (Cluster API drains and replaces the node itself),
// CPU and memory from the lab, the GPU functions as `gpus`.
import type { V1VirtualMachineInstanceSpec } from "@kubevirt-ui-ext/kubevirt-api/kubevirt";
import type { Lab } from "../../model/lab.js";
import type { KubeObject } from "../object.js";
import { affinity, disks, firmware, interfaces, volumes } from "../virtual-machine.js";
import { capkGpus } from "./gpus.js";
import type { WorkerPool } from "./pools.js";

export interface KubevirtMachineTemplate extends KubeObject {
  apiVersion: "infrastructure.cluster.x-k8s.io/v1alpha1";
  kind: "KubevirtMachineTemplate";
  spec: {
    template: {
      spec: {
        virtualMachineTemplate: {
          metadata: { namespace: string };
          spec: { runStrategy: "Always"; template: { spec: V1VirtualMachineInstanceSpec } };
        };
      };
    };
  };
}

function vmiSpec(pool: WorkerPool): V1VirtualMachineInstanceSpec {
  const { vm, mode } = pool;
  const gpus = capkGpus(mode);
  const nodeAffinity = affinity(mode);
  const bootloader = firmware(vm);
  return {
    domain: {
      cpu: { cores: mode.cores },
      memory: { guest: mode.memory },
      ...(bootloader ? { firmware: bootloader } : {}),
      devices: {
        disks: disks(vm, mode),
        ...(vm.nics.length > 0 ? { interfaces: interfaces(vm) } : {}),
        ...(gpus.length > 0 ? { gpus } : {}),
      },
    },
    evictionStrategy: "External",
    ...(nodeAffinity ? { affinity: nodeAffinity } : {}),
    ...(vm.nics.length > 0
      ? { networks: vm.nics.map((nic) => ({ name: nic.name, multus: { networkName: nic.network.name } })) }
      : {}),
    volumes: volumes(vm),
  };
}

export function renderMachineTemplate(lab: Lab, pool: WorkerPool): KubevirtMachineTemplate {
  const namespace = lab.cluster.namespace;
  return {
    apiVersion: "infrastructure.cluster.x-k8s.io/v1alpha1",
    kind: "KubevirtMachineTemplate",
    metadata: { name: pool.templateName, namespace },
    spec: {
      template: {
        spec: {
          virtualMachineTemplate: {
            metadata: { namespace },
            spec: { runStrategy: "Always", template: { spec: vmiSpec(pool) } },
          },
        },
      },
    },
  };
}
