// Parameter scans expand into one command per value, with {NAME} substituted, as hyperfine's -P and -L.
import { describe, expect, it } from 'vitest';
import { expandCommands, listParameter, rangeParameter } from '../../src/bench/parameters.js';

describe('parameters', () => {
  it('-P NAME MIN MAX with a step, integers and decimals', () => {
    expect(rangeParameter('n', '1', '4').values).toEqual(['1', '2', '3', '4']);
    expect(rangeParameter('n', '0', '1', '0.25').values).toEqual(['0.00', '0.25', '0.50', '0.75', '1.00']);
    expect(() => rangeParameter('n', '3', '1')).toThrow(/below MIN/);
  });
  it('-L NAME a,b,c and the product of several parameters', () => {
    const cmds = expandCommands(['x {a} {b}'], [listParameter('a', '1,2'), listParameter('b', 'p,q')]);
    expect(cmds).toEqual([
      { command: 'x 1 p', parameters: { a: '1', b: 'p' } },
      { command: 'x 1 q', parameters: { a: '1', b: 'q' } },
      { command: 'x 2 p', parameters: { a: '2', b: 'p' } },
      { command: 'x 2 q', parameters: { a: '2', b: 'q' } },
    ]);
    expect(() => expandCommands(['x'], [listParameter('a', '1')])).toThrow(/none of the parameters/);
  });
  it('-n names commands in order, with {NAME} substituted; commands past the names keep their text', () => {
    expect(expandCommands(['sleep 0.1', 'sleep 0.2'], [], ['short'])).toEqual([
      { command: 'sleep 0.1', name: 'short' },
      { command: 'sleep 0.2' },
    ]);
    expect(expandCommands(['x {a}'], [listParameter('a', '1,2')], ['run-{a}'])).toEqual([
      { command: 'x 1', parameters: { a: '1' }, name: 'run-1' },
      { command: 'x 2', parameters: { a: '2' }, name: 'run-2' },
    ]);
    expect(() => expandCommands(['x'], [], ['a', 'b'])).toThrow(/-n given 2 times for 1 command/);
  });
});
