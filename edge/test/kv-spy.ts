// A KV binding wrapper that records every call, to count reads or to make writes fail.
export function spyKv(kv: KVNamespace, fail?: (op: string, key: unknown) => boolean) {
  const calls: [string, string][] = [];
  const proxy = new Proxy(kv, {
    get(target, prop) {
      const v = Reflect.get(target, prop);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const key = typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0] ?? null);
        calls.push([String(prop), key]);
        if (fail?.(String(prop), args[0])) return Promise.reject(new Error(`injected ${String(prop)} failure`));
        return v.apply(target, args);
      };
    },
  });
  return { kv: proxy, calls };
}
