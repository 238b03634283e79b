// The one bounded worker pool: min(cores*2, 16) threads unless told otherwise.
import { availableParallelism } from 'node:os';
import Tinypool from 'tinypool';

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(availableParallelism() * 2, 16));
}

export interface Pool {
  run<T, R>(task: T): Promise<R>;
  destroy(): Promise<void>;
  readonly size: number;
}

export function createPool(filename: URL, size: number): Pool {
  const pool = new Tinypool({ filename: filename.href, minThreads: size, maxThreads: size, idleTimeout: 1000 });
  return {
    size,
    run: <T, R>(task: T) => pool.run(task) as Promise<R>,
    destroy: () => pool.destroy(),
  };
}
