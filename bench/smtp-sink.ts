// A light SMTP sink for the benchmark, run as its own process: it speaks real SMTP (smtp-server) but does not
// parse messages, it only counts them and their bytes. Start it with startSmtpSink() from the bench.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { BenchChild, exitWithParent, serveRequests } from './children';

export interface SmtpSink {
  url: string;
  port: number;
  /** Messages and bytes accepted so far. */
  stats(): Promise<{ messages: number; bytes: number }>;
  child: BenchChild;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const { child, ready } = await BenchChild.start('smtp sink', 'smtp-sink.ts', { BENCH_SMTP_SINK: '1' });
  const port = Number(ready.port);
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    child,
    async stats() {
      const reply = await child.request({ type: 'stats' });
      return { messages: Number(reply.messages), bytes: Number(reply.bytes) };
    },
  };
}

function runSink(): void {
  exitWithParent();
  let messages = 0;
  let bytes = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // Lots of connections at once (non-pooled senders): no greeting delay, no connection limit.
    maxClients: 1000,
    onData(stream, _session, callback) {
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      stream.on('end', () => {
        messages += 1;
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.server.address() as AddressInfo;
    process.send?.({ type: 'ready', port });
  });
  serveRequests((message) => {
    if (message.type === 'stats') return { messages, bytes };
    if (message.type === 'stop') server.close(() => process.exit(0));
    return {};
  });
}

if (process.env.BENCH_SMTP_SINK === '1' && require.main === module) runSink();
