// What every renderer produces: Kubernetes objects (applied or written as YAML) and plain files
// (host configuration, router snippets) written as they are.

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface TextFile {
  /** Path relative to the target's output folder, such as "tower1/etc/modprobe.d/vfio.conf". */
  path: string;
  content: string;
}

export interface RenderOutput {
  objects: KubeObject[];
  files: TextFile[];
}
