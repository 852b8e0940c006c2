import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { FIGURES } from '../../bench/config';

// The benchmark's small-N version, as `npm run bench:smoke` runs it: it must complete and write every figure.
// Nothing here looks at how fast anything was (the benchmark is its own command, `npm run bench`).
const ROOT = path.resolve(__dirname, '..', '..');
const directory = mkdtempSync(path.join(tmpdir(), 'onward-bench-smoke-'));

interface Results {
  mode: string;
  machine: { cpus: number; memoryMb: number; node: string };
  figures: Record<string, { title: string; rows?: { onward: string; baseline: string }[]; data?: Record<string, unknown>; error?: string }>;
}

describe('npm run bench:smoke', () => {
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  test('completes and writes each figure with its baseline', async () => {
    const out = path.join(directory, 'results.json');
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'bench', 'run.ts'), '--smoke', '--out', out],
        { cwd: ROOT, timeout: 480_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdoutText, stderrText) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: stdoutText, stderr: stderrText }),
      );
    });
    expect(code, stderr.slice(-4000)).toBe(0);
    expect(stdout).toContain('Onward benchmark (smoke)');

    const results = JSON.parse(readFileSync(out, 'utf8')) as Results;
    expect(results.mode).toBe('smoke');
    expect(results.machine.cpus).toBeGreaterThan(0);
    expect(results.machine.memoryMb).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    for (const name of FIGURES) {
      const figure = results.figures[name];
      expect(figure, name).toBeDefined();
      expect(figure?.error, `${name}: ${figure?.error ?? ''}`).toBeUndefined();
      expect(figure?.rows?.length, name).toBeGreaterThan(0);
      expect(figure?.data, name).toBeDefined();
      // Each figure's first row has Onward's number and the baseline measured in the same run.
      expect(figure?.rows?.[0]?.onward, name).not.toBe('');
      expect(figure?.rows?.[0]?.baseline, name).not.toBe('');
    }
  }, 540_000);
});
