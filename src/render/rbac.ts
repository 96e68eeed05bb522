// The least a Kubernetes user needs to run gpuvm against a lab: a ClusterRole for the cluster-wide kinds
// (and the KubeVirt CR, which lives in KubeVirt's own namespace) and a Role in the lab's namespace.
// Each verb is there because a command sends it:
//   get/list     plan, status, doctor and prune read objects; list finds prune candidates
//   create+patch apply is a server-side apply (PATCH), which creates objects that do not exist yet
//   delete       apply --prune (never for volumes, namespaces or the KubeVirt/CDI CRs)
//   update       the leases are renewed, confirmed and taken over with resourceVersion-guarded PUTs
//   watch        wait, start --wait, stop and switch watch VirtualMachineInstances
// The GPU leases of every lab live in one namespace (LOCK_NAMESPACE): a third object, a Role there that
// allows leases and nothing else, shared by every lab (one name, no lab labels), with its namespace.
import type { Namespace } from "kubernetes-types/core/v1.js";
import type { ClusterRole, PolicyRule, Role } from "kubernetes-types/rbac/v1.js";
import type { Lab } from "../model/lab.js";
import { LABEL_MANAGED_BY, LOCK_NAMESPACE, labLabels, MANAGER } from "./labels.js";
import type { Rendered } from "./object.js";

export function rbacName(lab: Lab): string {
  return `gpuvm-${lab.name}`;
}

/** Leases: the VM locks in the lab's namespace and the GPU locks in LOCK_NAMESPACE. */
const LEASE_RULE: PolicyRule = {
  apiGroups: ["coordination.k8s.io"],
  resources: ["leases"],
  verbs: ["get", "create", "update", "delete"],
};

const CLUSTER_RULES: PolicyRule[] = [
  { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "create", "patch"] },
  { apiGroups: [""], resources: ["nodes"], verbs: ["get"] },
  {
    apiGroups: ["storage.k8s.io"],
    resources: ["storageclasses"],
    verbs: ["get", "list", "create", "patch", "delete"],
  },
  {
    apiGroups: ["scheduling.k8s.io"],
    resources: ["priorityclasses"],
    verbs: ["get", "list", "create", "patch", "delete"],
  },
  { apiGroups: ["kubevirt.io"], resources: ["kubevirts"], verbs: ["get", "list", "create", "patch"] },
  { apiGroups: ["cdi.kubevirt.io"], resources: ["cdis"], verbs: ["get", "list", "create", "patch"] },
  { apiGroups: ["cdi.kubevirt.io"], resources: ["cdiconfigs"], verbs: ["get"] },
  { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get"] },
];

const NAMESPACE_RULES: PolicyRule[] = [
  {
    apiGroups: ["kubevirt.io"],
    resources: ["virtualmachines"],
    verbs: ["get", "list", "create", "patch", "delete"],
  },
  { apiGroups: ["kubevirt.io"], resources: ["virtualmachineinstances"], verbs: ["get", "list", "watch"] },
  { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["get", "list", "create", "patch"] },
  { apiGroups: ["cdi.kubevirt.io"], resources: ["datavolumes"], verbs: ["get", "list", "create", "patch"] },
  {
    apiGroups: ["k8s.cni.cncf.io"],
    resources: ["network-attachment-definitions"],
    verbs: ["get", "list", "create", "patch", "delete"],
  },
  LEASE_RULE,
];

/** The Role every gpuvm user is bound to in LOCK_NAMESPACE. */
const LOCK_ROLE = "gpuvm-gpu-locks";

const LOCK_RULES: PolicyRule[] = [LEASE_RULE];

export function renderRbac(
  lab: Lab,
): [Rendered<ClusterRole>, Rendered<Role>, Rendered<Namespace>, Rendered<Role>] {
  const metadata = { name: rbacName(lab), labels: labLabels(lab) };
  const shared = { labels: { [LABEL_MANAGED_BY]: MANAGER } };
  return [
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata, rules: CLUSTER_RULES },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { ...metadata, namespace: lab.cluster.namespace },
      rules: NAMESPACE_RULES,
    },
    { apiVersion: "v1", kind: "Namespace", metadata: { name: LOCK_NAMESPACE, ...shared } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: LOCK_ROLE, namespace: LOCK_NAMESPACE, ...shared },
      rules: LOCK_RULES,
    },
  ];
}
