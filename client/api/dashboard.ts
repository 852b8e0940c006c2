import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * Where the dashboard's files are: beside this module's folder (client/dashboard, or dist/client/dashboard
 * when the image copies them there), else in the source tree next to dist/.
 */
function dashboardDirectory(): string | undefined {
  const candidates = [path.resolve(__dirname, '..', 'dashboard'), path.resolve(__dirname, '..', '..', '..', 'client', 'dashboard')];
  return candidates.find(
    (directory) => existsSync(path.join(directory, 'index.html')) && (existsSync(path.join(directory, 'app.js')) || existsSync(path.join(directory, 'app.ts'))),
  );
}

/**
 * The dashboard's script is TypeScript (type-checked and linted with the rest), served as JavaScript: esbuild
 * bundles it once at start (it imports only the pure lists it shares with the workflow, e.g. the stages). The pages are static: the
 * data comes from the API with the user's key.
 */
function dashboardScript(directory: string): string {
  // The image ships app.js, built by the Dockerfile: esbuild is a development dependency.
  const prebuilt = path.join(directory, 'app.js');
  if (existsSync(prebuilt)) return readFileSync(prebuilt, 'utf8');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when the dashboard is served
  const esbuild = require('esbuild') as typeof import('esbuild');
  const built = esbuild.buildSync({ entryPoints: [path.join(directory, 'app.ts')], bundle: true, write: false, target: 'es2022', format: 'esm' });
  return built.outputFiles[0]?.text ?? '';
}

export function registerDashboard(app: FastifyInstance): void {
  const directory = dashboardDirectory();
  const assets: Record<string, { type: string; body: string }> = directory
    ? {
        'index.html': { type: 'text/html; charset=utf-8', body: readFileSync(path.join(directory, 'index.html'), 'utf8') },
        'style.css': { type: 'text/css; charset=utf-8', body: readFileSync(path.join(directory, 'style.css'), 'utf8') },
        'app.js': { type: 'text/javascript; charset=utf-8', body: dashboardScript(directory) },
      }
    : {};
  if (!directory) app.log.warn('the dashboard files (client/dashboard) are not installed: only the API is served');
  const headers = {
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
  };
  app.get('/', (_request, reply) => reply.redirect('/dashboard/'));
  app.get('/dashboard', (_request, reply) => reply.redirect('/dashboard/'));
  app.get<{ Params: { file?: string } }>('/dashboard/:file', (request, reply) => {
    const file = request.params.file || 'index.html';
    // Own files only: `__proto__`, `constructor` or an entry planted on Object.prototype is no asset.
    const asset = Object.hasOwn(assets, file) ? assets[file] : undefined;
    if (!asset) return reply.code(404).send({ errors: [{ field: '(url)', problem: 'no such file' }] });
    return reply.headers(headers).type(asset.type).send(asset.body);
  });
}
