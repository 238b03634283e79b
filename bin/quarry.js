#!/usr/bin/env node
// Launcher: everything lives in the compiled CLI (npm install builds it via `prepare`).
import { main } from '../dist/commands/main.js';

main(process.argv.slice(2));
