import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../workflows/definitions';
import { runCli } from '../helpers/cli';
import { connect, devServer, temporaryDirectory, testKeys, type DevServer } from '../reliability/harness';
import { arbitraries, type MalformedCase } from './malformed';

// A handful of the barrage's documents, and some files that are not JSON at all, through `onward start` as a user runs
// it, against a real Temporal dev server: each one exits non-zero with one line per bad field, and nothing starts.
describe('onward start refuses malformed rejection files and starts nothing', () => {
  const directory = temporaryDirectory('onward-cli-refusals-');
  const keys = testKeys();
  let server: DevServer;
  let environment: Record<string, string>;

  const categories = ['wrong type', 'missing required field', 'huge string', 'control characters', 'header injection', 'bad time zone', 'bad duration', 'unknown key', 'bad email address', 'bad date-time', 'bad LinkedIn URL'];
  const cases: (MalformedCase & { file: string; id?: string })[] = categories.map((category, index) => {
    const arbitrary = arbitraries[category];
    if (!arbitrary) throw new Error(category);
    const [generated] = fc.sample(arbitrary, { numRuns: 1, seed: 4711 + index }) as [MalformedCase];
    const document = generated.document as Record<string, unknown>;
    // A distinct id per file (unless the id is what is broken), to check that no sequence exists under it.
    const id = document.id === 'acme-eng-4711' ? `cli-refused-${index}` : undefined;
    if (id) document.id = id;
    const file = path.join(directory.path, `case-${index}.json`);
    writeFileSync(file, JSON.stringify(document));
    return { ...generated, file, id };
  });
  const notJson: [string, string | Buffer][] = [
    ['empty.json', ''],
    ['binary.json', Buffer.from([0xff, 0xfe, 0x00, 0x1b, 0x5b, 0x32, 0x4a, 0x0d, 0x0a])],
    ['truncated.json', '{"id": "cli-truncated", "candidate": {'],
    ['nested.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
  ];

  beforeAll(async () => {
    server = await devServer(path.join(directory.path, 'temporal.db'));
    environment = { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: 'default', ONWARD_TASK_QUEUE: 'onward', ...keys.environment };
    for (const [name, contents] of notJson) writeFileSync(path.join(directory.path, name), contents);
  });

  afterAll(async () => {
    await server?.stop();
    directory.remove();
  });

  it(`refuses ${categories.length} generated malformed documents, naming the field, without a stack trace`, async () => {
    for (const { category, field, file } of cases) {
      const result = await runCli(['start', file], environment);
      const context = `${category} (${field ?? '?'}): ${result.stderr.slice(0, 300)}`;
      expect(result.code, context).toBe(1);
      expect(result.stdout, context).toBe('');
      expect(result.stderr, context).toMatch(/^onward: .* is not a valid rejection:\n/);
      expect(result.stderr, context).toContain(`  ${field}`);
      expect(result.stderr, context).not.toMatch(/^\s+at /m);
    }
  });

  it('refuses files that are not JSON, or not a JSON object', async () => {
    for (const [name] of notJson) {
      const result = await runCli(['start', path.join(directory.path, name)], environment);
      expect(result.code, name).toBe(1);
      expect(result.stderr, name).toMatch(/^onward: .*(is not valid JSON|is not a valid rejection|is not valid UTF-8)/);
      expect(result.stderr, name).not.toMatch(/^\s+at /m);
    }
  });

  it('started no workflow at all', async () => {
    const { client, connection } = await connect(server.address, keys.keyring);
    try {
      for (const { id } of cases) {
        if (id) await expect(client.workflow.getHandle(workflowIdFor(id)).describe()).rejects.toThrow(/not found/i);
      }
      const { count } = await client.workflow.count();
      expect(count).toBe(0);
    } finally {
      await connection.close();
    }
  });
});
