/** The simulator's watches: kept open across a restarting API server, as an informer's are. */
import { Watch } from "@kubernetes/client-node";
import { KV, type Obj, type SimContext } from "./context.js";

/** Watches path until the simulator closes, calling onEvent for every added, changed or deleted object. */
export async function watch(
  ctx: SimContext,
  path: string,
  onEvent: (o: Obj, type: string) => void,
): Promise<void> {
  const w = new Watch(ctx.kc);
  let refusals = 0;
  const open = async (): Promise<void> => {
    if (ctx.closed) return;
    const onChange = (type: string, obj: Obj) => {
      refusals = 0;
      if (type === "ADDED" || type === "MODIFIED" || type === "DELETED") onEvent(obj, type);
    };
    const onEnd = (err: unknown) => {
      if (ctx.closed) return;
      // 429: the server's watch cache for this resource is still filling (a fresh or restarted
      // server); it is expected and says nothing is wrong, so retry quietly, backing off to 3.2 s.
      const refused = (err as { statusCode?: number } | null)?.statusCode === 429;
      refusals = refused ? refusals + 1 : 0;
      if (err && !refused && !(err instanceof Error && err.name === "AbortError"))
        ctx.log(`watch ${path} ended: ${err}`);
      const wait = refused ? Math.min(100 * 2 ** refusals, 3200) : 200;
      ctx.later(wait, () => void open().catch((e) => ctx.report(e)));
    };
    ctx.aborts.push(await w.watch(path, { allowWatchBookmarks: false }, onChange, onEnd));
  };
  await open();
}

/** Reconciles every VMI in scope (a change of the KubeVirt CR may permit a Pending one's devices). */
export async function kickAllVmis(ctx: SimContext): Promise<void> {
  // Called from a watch callback nobody awaits: every failure must end here, not as an unhandled rejection.
  for (let attempt = 1; !ctx.closed; attempt++) {
    try {
      for (const vmi of await listVmis(ctx)) ctx.kick("vmi", vmi.metadata);
      return;
    } catch (error) {
      // A (re)starting server answers 429 while its caches fill: list again shortly.
      if ((error as { code?: number }).code !== 429 || attempt >= 100) return ctx.report(error);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function listVmis(ctx: SimContext): Promise<Obj[]> {
  const plural = "virtualmachineinstances";
  const list = ctx.namespace
    ? await ctx.custom.listNamespacedCustomObject({ ...KV, plural, namespace: ctx.namespace })
    : await ctx.custom.listClusterCustomObject({ ...KV, plural });
  return (list as { items: Obj[] }).items;
}
