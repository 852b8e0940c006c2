import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { serverExecutable } from '../client/temporal-binaries';
import { rejectionDocument } from '../test/helpers/fixtures';
import { ONWARD_SEARCH_ATTRIBUTES } from '../workflows/definitions';
import { describeProblems, parseRejectionDocument, type SequenceInput } from '../workflows/input';
import type { RejectionDocument } from '../workflows/rejection';
import type { BenchConfig } from './config';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import { childProcesses, now, processMemory, progress, round } from './util';

export type BundleName = 'onward' | 'bench' | 'bench-schemas';

export interface Bundle {
  code: string;
  path: string;
  bytes: number;
  buildMs: number;
  /** zod's modules are in the bundle (evaluated once per workflow: see figure 4). */
  containsZod: boolean;
}

/** What the figures share: the parameters, one dev server, the workflow bundles, one SMTP sink. */
export class BenchContext {
  /** A prefix for workflow ids, unique per run. */
  readonly runId = `bench-${Date.now().toString(36)}`;
  readonly directory = mkdtempSync(path.join(tmpdir(), 'onward-bench-'));
  private devServer?: TestWorkflowEnvironment;
  private sink?: SmtpSink;
  private bundles = new Map<string, Bundle>();
  devServerStartMs?: number;

  constructor(readonly config: BenchConfig) {}

  /** `temporal server start-dev` (in memory), with Onward's search attributes, as `onward dev` starts it. */
  async dev(): Promise<TestWorkflowEnvironment> {
    if (!this.devServer) {
      progress('starting temporal server start-dev');
      const began = now();
      this.devServer = await TestWorkflowEnvironment.createLocal({
        server: { executable: serverExecutable('temporal'), ip: '127.0.0.1', searchAttributes: [...ONWARD_SEARCH_ATTRIBUTES], log: { format: 'pretty', level: 'error' } },
      });
      this.devServerStartMs = round(now() - began);
      progress(`dev server on ${this.devServer.address} (${Math.round(this.devServerStartMs)} ms)`);
    }
    return this.devServer;
  }

  /** RSS of the dev server process (a child of this process), when it can be found. */
  devServerMemory(): { rss: number; peakRss: number } | undefined {
    const [pid] = childProcesses(process.pid, 'start-dev');
    return pid === undefined ? undefined : processMemory(pid);
  }

  async smtpSink(): Promise<SmtpSink> {
    if (!this.sink) {
      this.sink = await startSmtpSink();
      progress(`SMTP sink on ${this.sink.url} (pid ${this.sink.child.pid})`);
    }
    return this.sink;
  }

  /**
   * The product's workflow bundle (workflows/index.ts, what the Onward worker registers), the bench's
   * (bench/workflows.ts), or the bench's plus the product's policy module (bench/workflows-with-schemas.ts).
   */
  async bundle(which: BundleName): Promise<Bundle> {
    const existing = this.bundles.get(which);
    if (existing) return existing;
    const began = now();
    const entries: Record<BundleName, string> = {
      onward: require.resolve('../workflows'),
      bench: require.resolve('./workflows'),
      'bench-schemas': require.resolve('./workflows-with-schemas'),
    };
    const workflowsPath = entries[which];
    const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    const file = path.join(this.directory, `${which}-workflow-bundle.js`);
    writeFileSync(file, code);
    const bundle = { code, path: file, bytes: Buffer.byteLength(code), buildMs: round(now() - began), containsZod: code.includes('node_modules/zod/') };
    this.bundles.set(which, bundle);
    progress(`bundled the ${which} workflows: ${Math.round(bundle.bytes / 1024)} KiB in ${Math.round(bundle.buildMs)} ms`);
    return bundle;
  }

  bundleInfo(): Record<string, { bytes: number; buildMs: number; containsZod: boolean }> {
    return Object.fromEntries([...this.bundles].map(([name, { bytes, buildMs, containsZod }]) => [name, { bytes, buildMs, containsZod }]));
  }

  async close(): Promise<void> {
    await this.sink?.child.stop();
    await this.devServer?.teardown();
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/** A valid rejection (the test fixture: two interviewers and a recruiter) with the default policy. */
export function sequenceInput(id: string, overrides: Partial<RejectionDocument> = {}): SequenceInput {
  const parsed = parseRejectionDocument(rejectionDocument({ rejectedAt: new Date().toISOString(), ...overrides, id }));
  if (!parsed.ok) throw new Error(`bench rejection is invalid:\n${describeProblems(parsed.problems)}`);
  return parsed.input;
}
