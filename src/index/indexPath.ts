// Where a root's index lives. On its own so that a command can look for an index without loading the reader.
import { join } from 'node:path';

export const INDEX_DIR = '.quarry';
export const INDEX_FILE = 'index.msgpack';

export function indexPathOf(root: string): string {
  return join(root, INDEX_DIR, INDEX_FILE);
}
