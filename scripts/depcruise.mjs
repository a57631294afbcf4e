/**
 * `npm run lint`'s layer check: dependency-cruiser with the rules of .dependency-cruiser.cjs over src and test.
 *
 * Why not its `depcruise` command: dependency-cruiser 18 refuses to start on Node 20 (its CLI checks `engines`:
 * ^22||^24||>=26), and Node 20 is what this project's machines run. Its public API (cruise) has no such check and
 * works here. Once the project runs Node 22 (or pins dependency-cruiser 17, whose engines include ^20.12), this file
 * goes and the lint script says `depcruise src test` instead.
 */
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs');
const tsConfig = extractTSConfig(options.ruleSet.options?.tsConfig?.fileName ?? options.tsConfig?.fileName ?? 'tsconfig.json');
const result = await cruise(['src', 'test'], { ...options, outputType: 'err' }, undefined, { tsConfig });
process.stdout.write(result.output);
process.exitCode = result.exitCode;
