// A small seeded PRNG (sfc32) whose whole state is four u32s, so a checkpoint can store it and a resumed run
// draws the same numbers. Training never calls Math.random.

export class Prng {
  readonly state: Uint32Array;

  constructor(seed: number | Uint32Array) {
    if (typeof seed !== 'number') {
      this.state = Uint32Array.from(seed);
      return;
    }
    // splitmix32 spreads a small seed over the four words; 12 warm-up draws mix them.
    this.state = new Uint32Array(4);
    let s = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.state[i] = (z ^ (z >>> 16)) >>> 0;
    }
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  nextU32(): number {
    const st = this.state;
    const a = st[0]!;
    const b = st[1]!;
    const c = st[2]!;
    const d = st[3]!;
    const t = (a + b + d) >>> 0;
    st[3] = (d + 1) >>> 0;
    st[0] = b ^ (b >>> 9);
    st[1] = (c + (c << 3)) >>> 0;
    st[2] = (((c << 21) | (c >>> 11)) + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform whole number in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Shuffles `a` in place (Fisher–Yates). */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

/** A hash of `text` under `seed` in [0, 1): the same file lands in the same split for a seed, whatever the order. */
export function seededUnit(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ Math.imul(seed >>> 0, 0x9e3779b1)) | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}
