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

/**
 * An upstream API type as gpuvm renders it. The published types make apiVersion, kind and metadata (with
 * its name) optional; a rendered object always sets them. Renderers return Rendered<…>, so targets
 * compose them into KubeObject[] without a cast, and a renderer that forgets a name does not compile.
 */
export type Rendered<T extends { metadata?: object }> = Omit<T, "apiVersion" | "kind" | "metadata"> & {
  apiVersion: string;
  kind: string;
  metadata: NonNullable<T["metadata"]> & KubeObject["metadata"];
};

export interface TextFile {
  /** Path relative to the target's output folder, such as "tower1/etc/modprobe.d/vfio.conf". */
  path: string;
  content: string;
}

export interface RenderOutput {
  objects: KubeObject[];
  files: TextFile[];
  /** What the user should know about the output (entries skipped and why); the CLI prints them to stderr. */
  notes?: string[];
  /** Files the user named that the target edits in place (`--patch-into`); written atomically, never to --out. */
  edits?: TextFile[];
}
