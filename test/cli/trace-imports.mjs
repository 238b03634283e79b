// Logs every module URL the process loads to $TRACE_IMPORTS_FILE (one per line): proves what start-up loads.
import { register } from 'node:module';
import { appendFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => appendFileSync(process.env.TRACE_IMPORTS_FILE, `${url}\n`));
port1.unref();
register(new URL('./trace-hooks.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });
