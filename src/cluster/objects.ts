// The objects a lab puts on a cluster, in apply order, rendered for the namespace the user chose.
import type { Lab } from "../model/lab.js";
import { renderKubevirtTarget } from "../render/targets/kubevirt.js";
import type { KubeObjectJson } from "./client.js";

/** The lab as it lives in `namespace` (-n overrides the lab's cluster.namespace). */
export function labInNamespace(lab: Lab, namespace: string): Lab {
  if (namespace === lab.cluster.namespace) return lab;
  return { ...lab, cluster: { ...lab.cluster, namespace } };
}

export function clusterObjects(lab: Lab): KubeObjectJson[] {
  return renderKubevirtTarget(lab).objects as KubeObjectJson[];
}
