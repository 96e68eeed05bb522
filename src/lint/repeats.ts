// The rules that forbid two of a kind (one MAC, one IP per network, one device id per resource name)
// all compare each entry with the first that had its key: the first is where the value belongs, every
// later one is the place to change.

/** Each item whose key an earlier item already had, with that earliest item, in the items' order. */
export function repeatsOfFirst<T>(items: Iterable<T>, keyOf: (item: T) => string): { item: T; first: T }[] {
  const firsts = new Map<string, T>();
  const repeats: { item: T; first: T }[] = [];
  for (const item of items) {
    const key = keyOf(item);
    const first = firsts.get(key);
    if (first === undefined) firsts.set(key, item);
    else repeats.push({ item, first });
  }
  return repeats;
}
