// How deep a parsed JSON value nests, measured without recursion. JSON.parse is iterative, but much of
// what runs after it is not (JSON.stringify, schema validators, loggers): a body nested thousands deep
// overflows their stack, so the sidecar refuses it right after parsing, before any of them sees it.

/**
 * Whether `value` nests arrays and objects more than `maxDepth` levels deep (`[]` is one level,
 * `[[1]]` two, a scalar none). Iterative, and stops at the first level too deep.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== "object" || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > maxDepth) return true;
    for (const child of Object.values(next.value)) {
      if (typeof child === "object" && child !== null) pending.push({ value: child, depth });
    }
  }
  return false;
}
