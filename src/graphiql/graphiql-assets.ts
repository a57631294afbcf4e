import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The files the IDE page loads, all from npm packages installed with the service: nothing comes from a CDN,
 * so GET /graphql works on an air-gapped machine. An allowlist, not a static folder: only these files are served.
 */
export const GRAPHIQL_ASSETS: Record<string, { file: string; type: string }> = {
  'react.js': { file: 'react/umd/react.production.min.js', type: 'application/javascript' },
  'react-dom.js': { file: 'react-dom/umd/react-dom.production.min.js', type: 'application/javascript' },
  'graphiql.js': { file: 'graphiql/graphiql.min.js', type: 'application/javascript' },
  'graphiql.css': { file: 'graphiql/graphiql.min.css', type: 'text/css' },
};

export const ASSET_PREFIX = '/graphiql/assets';

/** Where a package file is installed, looked up like Node looks up packages (hoisted or nested). */
export function assetPath(name: string): string | null {
  const asset = GRAPHIQL_ASSETS[name];
  if (!asset) return null;
  for (const modules of require.resolve.paths('graphiql') ?? []) {
    const candidate = path.join(modules, asset.file);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}
