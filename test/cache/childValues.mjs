// Deterministic cache values shared by the child-process and worker scripts and the tests that check them.

/** The value stored under hash `${prefix}-${i}`: typed arrays, a Buffer, strings, numbers and nesting. */
export function valueFor(prefix, i) {
  return {
    i,
    name: `${prefix}/file-${i}.ts`,
    tokens: Uint32Array.from({ length: 1 + (i % 7) }, (_, k) => i * 31 + k),
    weights: Float32Array.from([i / 3, -i, 0.5]),
    raw: Buffer.from(`${prefix}:${i}`),
    nested: [{ ids: Int16Array.from([i % 300, -(i % 300)]) }, [i % 2 === 0, null]],
  };
}

export function hashFor(prefix, i) {
  return `${prefix}-${i}`;
}
