import { rm } from 'node:fs/promises';
import { STATE_KEY, TestServerState } from './global-setup';

/** Jest globalTeardown: stop the embedded cluster global-setup started (if it did) and remove its temp folder. */
export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>)[STATE_KEY] as TestServerState | undefined;
  if (!state) return;
  delete (globalThis as Record<string, unknown>)[STATE_KEY];
  await state.handle.stop();
  await rm(state.root, { recursive: true, force: true });
}
