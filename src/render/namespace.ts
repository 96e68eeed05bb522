import type { Namespace } from "kubernetes-types/core/v1.js";
import type { Lab } from "../model/lab.js";
import { labLabels } from "./labels.js";
import type { Rendered } from "./object.js";

export function renderNamespace(lab: Lab): Rendered<Namespace> {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: lab.cluster.namespace, labels: labLabels(lab) },
  };
}
