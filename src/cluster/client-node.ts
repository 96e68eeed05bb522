// @kubernetes/client-node takes about 0.4 s and 65 MB to load (it brings every generated API class).
// Commands that never reach a cluster (render, validate, lint, host, schema, init) must not pay that,
// so cluster code loads it on first use through this, and imports only its types statically.
export const clientNode = () => import("@kubernetes/client-node");
