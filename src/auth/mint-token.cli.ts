import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config-error';
import { loadSettings } from '../config/load-settings';
import { mintToken } from './jwt';

/**
 * `npm run token -- --sub alice [--role admin] [--expires-in 3600]` prints a token signed with the
 * configured JWT_SECRET (the development secret when it is unset), for curl, GraphiQL or tests.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      role: { type: 'string', multiple: true, default: [] },
      'expires-in': { type: 'string', default: '3600' },
    },
  });
  const expiresInSeconds = Number(values['expires-in']);
  if (!values.sub) throw new Error('usage: npm run token -- --sub <user id> [--role admin] [--expires-in <seconds>]');
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds <= 0) throw new Error('--expires-in must be a positive whole number of seconds');
  const settings = loadSettings();
  const token = await mintToken({ sub: values.sub, roles: values.role ?? [], expiresInSeconds }, settings.jwtSecret);
  process.stdout.write(`${token}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
