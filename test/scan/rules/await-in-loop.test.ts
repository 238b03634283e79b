import { expect, it } from 'vitest';
import { awaitInLoop } from '../../../src/scan/rules/await-in-loop.js';
import { findings, testRule } from './ruleTester.js';

testRule(awaitInLoop, {
  valid: [
    // for await consumes a stream in order by design.
    `export async function drain(stream: AsyncIterable<Buffer>, sink: { write(b: Buffer): Promise<void> }) {
  for await (const chunk of stream) {
    await sink.write(chunk);
  }
}`,
    // Pagination: the awaited page decides whether the loop goes on.
    `export async function listAll(client: Client) {
  let page = await client.list();
  const items = [];
  while (page.next) {
    items.push(...page.items);
    page = await client.list(page.next);
  }
  return items;
}`,
    // The same through an intermediate variable and a do-while test.
    `export async function pages(api: Api) {
  let cursor: string | undefined;
  const out = [];
  do {
    const res = await api.page(cursor);
    cursor = res.next;
    out.push(...res.items);
  } while (cursor);
  return out;
}`,
    // Each step needs the previous step's result.
    `export async function pipeline(steps: Step[], input: State) {
  let state = input;
  for (const step of steps) {
    state = await step(state);
  }
  return state;
}`,
    // Already concurrent: the await is in a callback, not the loop.
    `export async function users(ids: string[]) {
  return Promise.all(ids.map(async (id) => {
    const user = await getUser(id);
    return user;
  }));
}`,
    // Retry with backoff: leaves on the first success.
    `export async function fetchWithRetry(url: string) {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await fetch(url);
    } catch {
      await sleep(attempt * 100);
    }
  }
  throw new Error('unreachable');
}`,
    // Polling until done.
    `export async function waitFor(job: Job) {
  while (true) {
    const status = await job.status();
    if (status === 'done') break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}`,
    // First mirror that answers wins.
    `export async function download(mirrors: string[]) {
  for (const mirror of mirrors) {
    const res = await fetch(mirror);
    if (res.ok) return res;
  }
}`,
    // Awaited once, before the loop starts; and in the loop test.
    `export async function run(queue: Queue) {
  for (const item of await queue.snapshot()) handle(item);
  while (await queue.hasNext()) handle(queue.next());
}`,
  ],
  invalid: [
    {
      code: `export async function loadUsers(ids: string[]) {
  const users = [];
  for (const id of ids) {
    const user = await db.users.get(id);
    users.push(user);
  }
  return users;
}`,
      errors: [{ line: 4, messageId: 'awaitInLoop' }],
    },
    {
      code: `import { readFile } from 'node:fs/promises';
export async function readAll(files: string[]) {
  const results: string[] = [];
  for (let i = 0; i < files.length; i++) {
    results[i] = await readFile(files[i], 'utf8');
  }
  return results;
}`,
      errors: [{ line: 5, messageId: 'awaitInLoop' }],
    },
    {
      code: `export async function resolveSecrets(config: Record<string, string>) {
  for (const key in config) {
    config[key] = await vault.resolve(config[key]);
  }
}`,
      errors: 1,
    },
    {
      code: `export async function work(queue: Job[]) {
  while (queue.length > 0) {
    const job = queue.shift();
    await run(job);
  }
}`,
      errors: 1,
    },
    {
      // Two awaits per item, both serialized across items.
      code: `export async function convert(files: string[]) {
  for (const f of files) {
    const text = await readFile(f, 'utf8');
    await writeFile(outPath(f), transform(text));
  }
}`,
      errors: [
        { line: 3, messageId: 'awaitInLoop' },
        { line: 4, messageId: 'awaitInLoop' },
      ],
    },
    {
      code: `export async function notifyAll(batch: User[]) {
  do {
    await notify(batch.pop());
  } while (batch.length);
}`,
      errors: 1,
    },
  ],
});

it('names the loop kind in the message', () => {
  const [f] = findings(awaitInLoop, `async function f(xs: string[]) {\n  for (const x of xs) await g(x);\n}`);
  expect(f?.message).toMatch(/^await inside a for-of loop waits/);
});
