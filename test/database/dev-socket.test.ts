import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveToLocalClients } from '../../common/database/dev-server';
import { databaseLocationFrom, DEV_DATABASE_FILE } from '../../common/database/open';
import { openOnwardState } from '../../common/database/state';

describe("`onward dev`'s embedded database, reached by the CLI", () => {
  it('serves other processes through its socket while it runs: an opt-out added there counts in the owner at once', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'onward-dev-db-'));
    const owner = await openOnwardState({ keyring: undefined, location: { kind: 'embedded', directory: path.join(dataDir, 'db') } });
    const server = await serveToLocalClients(owner.database.embedded as NonNullable<typeof owner.database.embedded>, dataDir);
    try {
      // What a CLI command finds with no ONWARD_DATABASE_URL, in the directory `onward dev` runs on.
      const location = databaseLocationFrom({}, dataDir);
      expect(location).toEqual({ kind: 'postgres', url: server.url, viaDev: true });
      const cli = await openOnwardState({ keyring: undefined, location });
      await cli.suppressions.suppress('grace@example.com', 'asked by phone');
      expect(await owner.suppressions.isSuppressed('GRACE@example.com')).toBe(true);
      await cli.close();
    } finally {
      await server.close();
      await owner.close();
    }
    // Once it stops, a command opens the embedded database itself.
    expect(existsSync(path.join(dataDir, DEV_DATABASE_FILE))).toBe(false);
    expect(databaseLocationFrom({}, dataDir)).toEqual({ kind: 'embedded', directory: path.join(dataDir, 'db') });
  });
});
