// Where each kind gpuvm touches lives in the API: group/version, plural and scope. A fixed table rather
// than discovery: gpuvm only ever touches these kinds, and discovery would cost a request per group.
import { GpuvmError } from "../errors.js";
import type { KubeObject } from "../render/object.js";
export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const TABLE: ResourceInfo[] = [
  { apiVersion: "v1", kind: "Namespace", plural: "namespaces", namespaced: false },
  { apiVersion: "v1", kind: "Node", plural: "nodes", namespaced: false },
  { apiVersion: "v1", kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims", namespaced: true },
  { apiVersion: "kubevirt.io/v1", kind: "KubeVirt", plural: "kubevirts", namespaced: true },
  { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", plural: "virtualmachines", namespaced: true },
  {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    plural: "virtualmachineinstances",
    namespaced: true,
  },
  { apiVersion: "cdi.kubevirt.io/v1beta1", kind: "CDI", plural: "cdis", namespaced: false },
  { apiVersion: "cdi.kubevirt.io/v1beta1", kind: "CDIConfig", plural: "cdiconfigs", namespaced: false },
  { apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", plural: "datavolumes", namespaced: true },
  { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", plural: "priorityclasses", namespaced: false },
  { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", plural: "storageclasses", namespaced: false },
  {
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    plural: "network-attachment-definitions",
    namespaced: true,
  },
  { apiVersion: "coordination.k8s.io/v1", kind: "Lease", plural: "leases", namespaced: true },
  {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    plural: "customresourcedefinitions",
    namespaced: false,
  },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", plural: "roles", namespaced: true },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    plural: "clusterroles",
    namespaced: false,
  },
];

export function resourceFor(apiVersion: string, kind: string): ResourceInfo {
  const found = TABLE.find((entry) => entry.apiVersion === apiVersion && entry.kind === kind);
  if (!found) throw new GpuvmError(`gpuvm does not know where ${kind} (${apiVersion}) lives`);
  return found;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
}

/** Where an object lives: its type, name and (when set) namespace. */
export function refOf(obj: KubeObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name,
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
  };
}

/** The REST path of an object (or of its collection when name is absent). */
export function objectPath(ref: ObjectRef): string {
  const info = resourceFor(ref.apiVersion, ref.kind);
  const base = info.apiVersion.includes("/") ? `/apis/${info.apiVersion}` : `/api/${info.apiVersion}`;
  if (info.namespaced && !ref.namespace) {
    if (ref.name) throw new GpuvmError(`${ref.kind} ${ref.name} needs a namespace`);
    return `${base}/${info.plural}`;
  }
  const scope = info.namespaced ? `/namespaces/${encodeURIComponent(ref.namespace as string)}` : "";
  const name = ref.name ? `/${encodeURIComponent(ref.name)}` : "";
  return `${base}${scope}/${info.plural}${name}`;
}

/** "virtualmachines.kubevirt.io", as kubectl and RBAC name a resource. */
export function qualifiedResource(apiVersion: string, plural: string): string {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  return group ? `${plural}.${group}` : plural;
}

/** "VirtualMachine gaming/gaming-live" for messages. */
export function describeRef(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}
