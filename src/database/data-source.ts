import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

/**
 * For the TypeORM CLI, on the compiled dist/ (never through tsx: it emits no decorator metadata), e.g.
 *   npm run build && DATABASE_URL=postgres://… npx typeorm -d dist/database/data-source.js migration:show
 * DATABASE_URL is required: guessing a server here could point the CLI at the wrong database.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL must name the database the TypeORM CLI should work on');

export default new DataSource(dataSourceOptions(url));
