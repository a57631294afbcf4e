import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from './config/repo-root';
import { buildSchemaFromCode, printSortedSchema } from './graphql/print-schema';
import { SHOE_RESOLVERS } from './shoes/graphql/shoe.resolvers';

/**
 * `npm run schema:generate` rewrites schema.gql; a test fails while the committed file is stale. It lives beside
 * main.ts, as a composition root: it names the features' resolvers, which src/graphql may not import.
 */
buildSchemaFromCode(SHOE_RESOLVERS)
  .then((schema) => {
    const file = path.join(findRepoRoot(), 'schema.gql');
    writeFileSync(file, printSortedSchema(schema));
    process.stdout.write(`wrote ${file}\n`);
  })
  .catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
