// A kubeconfig exec credential plugin, as a cloud provider ships one: a script in `dir` that prints an
// ExecCredential carrying `token`. Tests point a kubeconfig's users[].user.exec.command at the path.
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function execCredentialPlugin(dir: string, token: string): string {
  const plugin = join(dir, "plugin.sh");
  writeFileSync(
    plugin,
    `#!/bin/sh
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${token}"}}'
`,
  );
  chmodSync(plugin, 0o755);
  return plugin;
}
