// Run before every test file (vitest.config.ts setupFiles).
import { afterEach } from 'vitest';
import { killLiveChildren } from './helpers.js';

afterEach(() => killLiveChildren());
