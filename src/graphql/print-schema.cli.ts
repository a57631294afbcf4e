import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '../config/repo-root';
import { buildSchemaFromCode, printSortedSchema } from './print-schema';

/** `npm run schema:generate` rewrites schema.gql; a test fails while the committed file is stale. */
buildSchemaFromCode()
  .then((schema) => {
    const file = path.join(findRepoRoot(), 'schema.gql');
    writeFileSync(file, printSortedSchema(schema));
    process.stdout.write(`wrote ${file}\n`);
  })
  .catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
