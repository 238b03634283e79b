// Types of childValues.mjs for the TypeScript tests.
export declare function valueFor(
  prefix: string,
  i: number,
): {
  i: number;
  name: string;
  tokens: Uint32Array;
  weights: Float32Array;
  raw: Buffer;
  nested: [{ ids: Int16Array }, [boolean, null]];
};
export declare function hashFor(prefix: string, i: number): string;
