// The stand-in CDI upload proxy in a process of its own, as CDI's is: the benchmark process also holds the
// cluster harness and the KubeVirt/CDI simulator, and a proxy sharing their thread and heap would be slowed
// by them differently from run to run. Started by bench/upload.ts over an IPC channel:
//   → parent: { ready: { url, ca } }, { complete: { id, namespace, name } }, { upload: ReceivedUpload }
//   ← parent: { completed: id, error? }
import { startUploadProxy } from "../test/test-cluster/sim/upload-proxy.js";

type FromParent = { completed: number; error?: string };

const send = (message: unknown) => process.send?.(message);
const prefix = process.env.TOKEN_PREFIX ?? "";
const namespace = process.env.NAMESPACE ?? "";
let nextId = 0;
const completions = new Map<number, (error?: string) => void>();
process.on("message", (message: FromParent) => {
  completions.get(message.completed)?.(message.error);
  completions.delete(message.completed);
});

const proxy = await startUploadProxy({
  tokenValid: (token) =>
    token.startsWith(prefix) ? { namespace, name: token.slice(prefix.length) } : undefined,
  onComplete: (ns, name) =>
    new Promise<void>((resolve, reject) => {
      const id = nextId++;
      completions.set(id, (error) => (error ? reject(new Error(error)) : resolve()));
      // The record is complete by now: report it before the client hears back.
      send({ upload: proxy.uploads.findLast((u) => u.name === name && u.complete) });
      send({ complete: { id, namespace: ns, name } });
    }),
});
send({ ready: { url: proxy.url, ca: proxy.ca } });
process.on("disconnect", () => void proxy.close().then(() => process.exit(0)));
