// Import cycles: the strongly connected components of the import graph (iterative Tarjan, safe on very deep
// graphs), each with its shortest cycle through its first file.

/** One import cycle, or a knot of several, among files of the scanned tree. */
export interface Cycle {
  /** The files of the strongly connected component, sorted. */
  files: string[];
  /**
   * A shortest cycle through `files[0]`, as the files in import order, starting and ending with `files[0]`
   * (`[a, b, a]` for a ⇄ b, `[a, a]` for a file importing itself).
   */
  path: string[];
}

/**
 * A graph by node index: `adjacency[v]` lists the nodes `v` has edges to. A node may list a target twice or
 * itself (a self-import).
 */
export type Adjacency = readonly (readonly number[])[];

/**
 * The import cycles of `graph` (file → the files it imports; targets need not be keys): every strongly connected
 * component with more than one file or with a self-import, sorted by first file. The same graph gives the same
 * answer whatever the order of its keys and edges.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): Cycle[] {
  const names = new Set<string>();
  for (const [from, targets] of graph) {
    names.add(from);
    for (const to of targets) names.add(to);
  }
  // Indices in sorted name order make every later tie-break (file order, BFS order) follow the names.
  const sorted = [...names].sort();
  const id = new Map(sorted.map((name, i) => [name, i]));
  const adjacency: number[][] = sorted.map(() => []);
  for (const [from, targets] of graph) {
    const list = adjacency[id.get(from)!]!;
    for (const to of targets) list.push(id.get(to)!);
  }
  for (const list of adjacency) dedupeSorted(list);
  return cyclesOf(adjacency).map((c) => ({ files: c.nodes.map((v) => sorted[v]!), path: c.path.map((v) => sorted[v]!) }));
}

/**
 * The cycles of a graph given by node index, as {@link findCycles} finds them but with indices: components sorted by
 * their smallest node, nodes sorted, and the shortest cycle through the smallest node (neighbours visited in the
 * order listed, so sort the lists for an answer independent of edge order).
 */
export function cyclesOf(adjacency: Adjacency): { nodes: number[]; path: number[] }[] {
  const components = stronglyConnectedComponents(adjacency);
  const n = adjacency.length;
  const component = new Int32Array(n).fill(-1);
  const parent = new Int32Array(n);
  const seen = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  const out: { nodes: number[]; path: number[] }[] = [];
  components.forEach((nodes, c) => {
    for (const v of nodes) component[v] = c;
  });
  components.forEach((nodes, c) => {
    const first = nodes.reduce((a, b) => (b < a ? b : a));
    if (nodes.length === 1 && !adjacency[first]!.includes(first)) return;
    nodes.sort((a, b) => a - b);
    out.push({ nodes, path: shortestCycle(adjacency, first, c, component, parent, seen, queue) });
  });
  return out.sort((a, b) => a.nodes[0]! - b.nodes[0]!);
}

/** Breadth-first from `first` inside its component until an edge leads back to it. */
function shortestCycle(
  adjacency: Adjacency,
  first: number,
  c: number,
  component: Int32Array,
  parent: Int32Array,
  seen: Int32Array,
  queue: Int32Array,
): number[] {
  let head = 0;
  let tail = 0;
  queue[tail++] = first;
  seen[first] = c;
  while (head < tail) {
    const u = queue[head++]!;
    for (const w of adjacency[u]!) {
      if (w === first) {
        // Walk the BFS tree back from the closing edge, then put the files in import order.
        const back: number[] = [];
        for (let v = u; v !== first; v = parent[v]!) back.push(v);
        return [first, ...back.reverse(), first];
      }
      if (component[w] !== c || seen[w] === c) continue;
      seen[w] = c;
      parent[w] = u;
      queue[tail++] = w;
    }
  }
  return [first, first]; // not reached: every node of a component lies on a cycle through its first node
}

/**
 * Tarjan's strongly connected components without recursion: an explicit stack of (node, next edge) frames, so a
 * 100k-file import chain cannot overflow the call stack. Components come out in reverse topological order.
 */
export function stronglyConnectedComponents(adjacency: Adjacency): number[][] {
  const n = adjacency.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  const frames = new Int32Array(n);
  const nextEdge = new Int32Array(n);
  const components: number[][] = [];
  let sp = 0;
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let fp = 0;
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    frames[fp] = root;
    nextEdge[fp++] = 0;
    while (fp > 0) {
      const v = frames[fp - 1]!;
      const edges = adjacency[v]!;
      const i = nextEdge[fp - 1]!;
      if (i < edges.length) {
        nextEdge[fp - 1] = i + 1;
        const w = edges[i]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          frames[fp] = w;
          nextEdge[fp++] = 0;
        } else if (onStack[w] === 1 && index[w]! < low[v]!) {
          low[v] = index[w]!;
        }
        continue;
      }
      fp--;
      if (fp > 0) {
        const u = frames[fp - 1]!;
        if (low[v]! < low[u]!) low[u] = low[v]!;
      }
      if (low[v] === index[v]) {
        const members: number[] = [];
        let w: number;
        do {
          w = stack[--sp]!;
          onStack[w] = 0;
          members.push(w);
        } while (w !== v);
        components.push(members);
      }
    }
  }
  return components;
}

/** Sorts a list of node indices in place and drops repeats. */
function dedupeSorted(list: number[]): void {
  list.sort((a, b) => a - b);
  let k = 0;
  for (let i = 0; i < list.length; i++) if (i === 0 || list[i] !== list[i - 1]) list[k++] = list[i]!;
  list.length = k;
}
