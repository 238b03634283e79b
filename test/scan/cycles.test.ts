import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cyclesOf, findCycles, stronglyConnectedComponents, type Cycle } from '../../src/scan/cycles.js';
import { resolveImport } from '../../src/scan/resolve.js';

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

describe('findCycles', () => {
  it('finds nothing in an acyclic graph', () => {
    expect(findCycles(graph({ a: ['b', 'c'], b: ['c'], c: [] }))).toEqual([]);
  });

  it('finds a two-file cycle', () => {
    expect(findCycles(graph({ a: ['b'], b: ['a'] }))).toEqual([{ files: ['a', 'b'], path: ['a', 'b', 'a'] }]);
  });

  it('reports a file importing itself', () => {
    expect(findCycles(graph({ a: ['a', 'b'], b: [] }))).toEqual([{ files: ['a'], path: ['a', 'a'] }]);
  });

  it('reports two disjoint cycles, sorted by first file, and leaves out the files that only lead into them', () => {
    const g = graph({ z: ['c', 'x'], c: ['d'], d: ['e'], e: ['c'], x: ['y'], y: ['x'] });
    expect(findCycles(g)).toEqual([
      { files: ['c', 'd', 'e'], path: ['c', 'd', 'e', 'c'] },
      { files: ['x', 'y'], path: ['x', 'y', 'x'] },
    ]);
  });

  it('gives the shortest cycle through the first file of a component', () => {
    // a → b → c → d → a is long; a → e → a is short; both lie in one component.
    const g = graph({ a: ['b', 'e'], b: ['c'], c: ['d'], d: ['a'], e: ['a'] });
    expect(findCycles(g)).toEqual([{ files: ['a', 'b', 'c', 'd', 'e'], path: ['a', 'e', 'a'] }]);
  });

  it('breaks ties between equally short cycles by file name, whatever the edge order', () => {
    expect(findCycles(graph({ a: ['c', 'b'], b: ['a'], c: ['a'] }))).toEqual([{ files: ['a', 'b', 'c'], path: ['a', 'b', 'a'] }]);
    expect(findCycles(graph({ c: ['a'], b: ['a'], a: ['b', 'c'] }))).toEqual([{ files: ['a', 'b', 'c'], path: ['a', 'b', 'a'] }]);
  });

  it('counts files that are only import targets as nodes', () => {
    expect(findCycles(graph({ a: ['b'], b: ['c', 'a'] }))).toEqual([{ files: ['a', 'b'], path: ['a', 'b', 'a'] }]);
  });

  it('walks a 100k-file chain without overflowing the stack', () => {
    const n = 100_000;
    const names = Array.from({ length: n }, (_, i) => `f${String(i).padStart(6, '0')}.ts`);
    const chain = new Map(names.map((name, i) => [name, i + 1 < n ? [names[i + 1]!] : []]));
    expect(findCycles(chain)).toEqual([]);
    chain.set(names[n - 1]!, [names[0]!]);
    const [cycle, ...rest] = findCycles(chain);
    expect(rest).toEqual([]);
    expect(cycle!.files.length).toBe(n);
    expect(cycle!.path).toEqual([...names, names[0]]);
  });
});

describe('stronglyConnectedComponents', () => {
  it('returns every node in exactly one component, in reverse topological order', () => {
    // 0 → 1 ⇄ 2 → 3
    const components = stronglyConnectedComponents([[1], [2], [1, 3], []]);
    expect(components.map((c) => [...c].sort())).toEqual([[3], [1, 2], [0]]);
  });
});

/** Nodes reachable from `from` by one or more edges. */
function reachable(adjacency: number[][], from: number): Set<number> {
  const seen = new Set<number>();
  const todo = [...adjacency[from]!];
  while (todo.length > 0) {
    const v = todo.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    todo.push(...adjacency[v]!);
  }
  return seen;
}

/** Length (in edges) of the shortest cycle through `v`, by plain BFS over the whole graph. */
function shortestCycleLength(adjacency: number[][], v: number): number {
  const dist = new Map<number, number>([[v, 0]]);
  const queue = [v];
  for (let i = 0; i < queue.length; i++) {
    const u = queue[i]!;
    for (const w of adjacency[u]!) {
      if (w === v) return dist.get(u)! + 1;
      if (!dist.has(w)) {
        dist.set(w, dist.get(u)! + 1);
        queue.push(w);
      }
    }
  }
  return Infinity;
}

describe('findCycles properties', () => {
  const arbGraph = fc
    .integer({ min: 1, max: 12 })
    .chain((n) => fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 3 })));

  it('reports real, shortest cycles, and puts every node on a cycle in exactly one component', () => {
    fc.assert(
      fc.property(arbGraph, ([n, edges]) => {
        const adjacency: number[][] = Array.from({ length: n }, () => []);
        for (const [a, b] of edges) adjacency[a]!.push(b);
        const names = Array.from({ length: n }, (_, i) => `n${String(i).padStart(2, '0')}`);
        const cycles: Cycle[] = findCycles(new Map(names.map((name, i) => [name, adjacency[i]!.map((j) => names[j]!)])));
        const index = (name: string) => names.indexOf(name);
        const inComponent = new Map<number, number>();
        cycles.forEach((cycle, c) => {
          expect(cycle.files).toEqual([...cycle.files].sort());
          for (const f of cycle.files) {
            expect(inComponent.has(index(f))).toBe(false);
            inComponent.set(index(f), c);
          }
          // The path is a closed walk along real edges, through files of the component, starting at its first file.
          const path = cycle.path.map(index);
          expect(cycle.path[0]).toBe(cycle.files[0]);
          expect(cycle.path.at(-1)).toBe(cycle.files[0]);
          for (let i = 0; i + 1 < path.length; i++) expect(adjacency[path[i]!]).toContain(path[i + 1]);
          for (const f of cycle.path) expect(cycle.files).toContain(f);
          expect(new Set(path.slice(1)).size).toBe(path.length - 1);
          expect(path.length - 1).toBe(shortestCycleLength(adjacency, path[0]!));
        });
        for (let v = 0; v < n; v++) {
          const onCycle = reachable(adjacency, v).has(v);
          expect(inComponent.has(v)).toBe(onCycle);
          // Two nodes share a component exactly when each reaches the other.
          for (let w = 0; w < n; w++) {
            if (w === v || !inComponent.has(v) || !inComponent.has(w)) continue;
            const mutual = reachable(adjacency, v).has(w) && reachable(adjacency, w).has(v);
            expect(inComponent.get(v) === inComponent.get(w)).toBe(mutual);
          }
        }
        cycles.slice(1).forEach((cycle, i) => expect(cycle.files[0]! > cycles[i]!.files[0]!).toBe(true));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same answer for any order of keys and edges', () => {
    fc.assert(
      fc.property(arbGraph, fc.integer(), ([n, edges], seed) => {
        const names = Array.from({ length: n }, (_, i) => `n${i}`);
        const build = (list: [number, number][]) => {
          const g = new Map<string, string[]>();
          for (const [a, b] of list) g.set(names[a]!, [...(g.get(names[a]!) ?? []), names[b]!]);
          return g;
        };
        const shuffled = [...edges].sort((x, y) => ((x[0] * 31 + x[1] + seed) % 7) - ((y[0] * 31 + y[1] + seed) % 7) || 0);
        expect(findCycles(build(shuffled))).toEqual(findCycles(build(edges)));
      }),
      { numRuns: 200 },
    );
  });

  it('agrees with cyclesOf on index graphs', () => {
    expect(cyclesOf([[1], [0], [2]])).toEqual([
      { nodes: [0, 1], path: [0, 1, 0] },
      { nodes: [2], path: [2, 2] },
    ]);
  });
});

describe('fixtures/scan/cycles', () => {
  const root = join(import.meta.dirname, '../../fixtures/scan/cycles');
  const files = new Set(
    readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.[jt]s$/.test(e.name))
      .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/')),
  );

  it('has the cycles EXPECTED.md lists', () => {
    const imports = new Map<string, string[]>();
    for (const file of files) {
      const source = readFileSync(join(root, file), 'utf8');
      const specifiers = [...source.matchAll(/(?:from |require\()'([^']+)'/g)].map((m) => m[1]!);
      imports.set(
        file,
        specifiers.flatMap((s) => {
          const r = resolveImport(file, s, files);
          return r.kind === 'file' ? [r.path] : [];
        }),
      );
    }
    expect(findCycles(imports)).toEqual([
      { files: ['a.ts', 'b.ts'], path: ['a.ts', 'b.ts', 'a.ts'] },
      { files: ['lib/c.js', 'lib/d.js', 'lib/e.js'], path: ['lib/c.js', 'lib/d.js', 'lib/e.js', 'lib/c.js'] },
    ]);
    const expected = readFileSync(join(root, 'EXPECTED.md'), 'utf8');
    expect(expected).toContain('`a.ts → b.ts → a.ts`');
    expect(expected).toContain('`lib/c.js → lib/d.js → lib/e.js → lib/c.js`');
  });
});
