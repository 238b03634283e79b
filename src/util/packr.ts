// One msgpack configuration for everything quarry stores. msgpackr's default pack mangles typed arrays
// silently, so every writer and reader goes through these instances (moreTypes keeps them intact).
import { Packr } from 'msgpackr';

export const packrOptions = { moreTypes: true, variableMapSize: true, useRecords: false, mapsAsObjects: true } as const;

export const packr = new Packr(packrOptions);
