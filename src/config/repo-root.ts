import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The folder holding package.json, found by walking up from this file, so the answer is the same whether the code
 * runs from src/ (Jest) or from dist/ (the build), and whatever the working directory is.
 */
export function findRepoRoot(): string {
  cached ??= findPackageRoot(__dirname);
  return cached;
}

function findPackageRoot(startDir: string): string {
  for (let dir = startDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json found above ${startDir}`);
  }
}
