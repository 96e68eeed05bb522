// The names gpuvm writes under (Kubernetes field managers), in one place: managedFields then tell which
// gpuvm command owns a field, and docs/cluster.md lists the same three. Every name is "gpuvm" or
// "gpuvm-<job>", so `kubectl get -o yaml --show-managed-fields` groups them.
export const FIELD_MANAGERS = {
  /** apply: the lab's objects by server-side apply, and the Leases that hold GPUs and uploads. */
  apply: "gpuvm",
  /** start/stop: spec.runStrategy, which apply leaves alone so a re-apply never starts or stops a VM. */
  lifecycle: "gpuvm-lifecycle",
  /** iso upload/attach/detach/eject: a VM's CD-ROM drives and media record, a volume's checksum record. */
  iso: "gpuvm-iso",
} as const;
