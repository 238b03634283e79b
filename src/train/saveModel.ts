// Writes the model file atomically; same model, same bytes (no clock, no host in it).
import { packr } from '../util/packr.js';
import { writeFileAtomicSync } from '../util/atomicWrite.js';
import type { ModelFile } from './modelFile.js';

export function encodeModel(model: ModelFile): Uint8Array {
  return Uint8Array.from(packr.pack(model));
}

export function saveModel(path: string, model: ModelFile): Uint8Array {
  const bytes = encodeModel(model);
  writeFileAtomicSync(path, bytes);
  return bytes;
}
