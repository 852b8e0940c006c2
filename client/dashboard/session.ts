/** The API with the user's key, which lives in this tab's sessionStorage only. */
import { say } from './dom';

const KEY_STORAGE = 'onward-api-key';

export class ApiFailure extends Error {}
export const NOT_SIGNED_IN = 'not signed in';

let onRefused: (reason: string) => void = () => undefined;
let refreshTimer: number | undefined;

/** What happens when the API refuses the key (the sign-in page, set by app.ts). */
export function whenKeyRefused(handler: (reason: string) => void): void {
  onRefused = handler;
}

export const apiKey = (): string | null => sessionStorage.getItem(KEY_STORAGE);
export const signIn = (key: string): void => sessionStorage.setItem(KEY_STORAGE, key);
export const signOut = (): void => sessionStorage.removeItem(KEY_STORAGE);

export const isSignedOut = (error: unknown): boolean => error instanceof ApiFailure && error.message === NOT_SIGNED_IN;

async function call(path: string, init: RequestInit): Promise<Response> {
  const response = await fetch(path, {
    ...init,
    headers: { authorization: `Bearer ${apiKey() ?? ''}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
  });
  if (response.status === 401) {
    signOut();
    onRefused('That API key was not accepted.');
    throw new ApiFailure(NOT_SIGNED_IN);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { errors?: { field: string; problem: string }[] };
    const problems = body.errors?.map(({ field, problem }) => (field.startsWith('(') ? problem : `${field}: ${problem}`)).join('; ');
    throw new ApiFailure(problems || `${response.status} ${response.statusText}`);
  }
  return response;
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  return (await (await call(path, init)).json()) as T;
}

/** A file from the API (it needs the key, so a plain link cannot fetch it), saved by the browser under `filename`. */
export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await call(path, {})).blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export function stopRefreshing(): void {
  if (refreshTimer !== undefined) window.clearTimeout(refreshTimer);
  refreshTimer = undefined;
}

/** Renders again after a while, to keep the page current; errors other than a refused key are said. */
export function refreshIn(milliseconds: number, render: () => Promise<void>): void {
  stopRefreshing();
  refreshTimer = window.setTimeout(() => {
    render().catch((error: unknown) => {
      if (!isSignedOut(error)) say((error as Error).message, true);
    });
  }, milliseconds);
}

/** The tenant shown in the header once the API answered. */
export function signedIn(tenant: string): void {
  (document.getElementById('tenant') as HTMLElement).textContent = `tenant ${tenant}`;
  (document.getElementById('sign-out') as HTMLElement).hidden = false;
}
