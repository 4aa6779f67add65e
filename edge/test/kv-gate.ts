// A KV binding wrapper that holds the first call matching a predicate until the test releases it,
// so two callers (e.g. two gallery rebuilds) can be interleaved step by step, deterministically.
export function gateKv(kv: KVNamespace, holds: (op: string, key: string) => boolean) {
  let arrive!: (at: string) => void, open!: () => void;
  const reached = new Promise<string>((r) => (arrive = r));
  const released = new Promise<void>((r) => (open = r));
  let armed = true;
  const proxy = new Proxy(kv, {
    get(target, prop) {
      const v = Reflect.get(target, prop);
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        const key = typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0] ?? null);
        if (armed && holds(String(prop), key)) {
          armed = false;
          arrive(`${String(prop)} ${key}`);
          await released;
        }
        return v.apply(target, args);
      };
    },
  });
  return { kv: proxy, reached, release: open };
}
