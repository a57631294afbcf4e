/**
 * The layer rules of the service, checked by `npm run lint` (scripts/depcruise.mjs runs them). README "Architecture"
 * draws the layers: each feature (src/shoes) is a GraphQL edge over commands, queries, a pure domain and its read
 * model; src/graphql, src/event-store, src/database and the other top-level folders are infrastructure that
 * knows no feature's GraphQL layer.
 */

/** A feature's GraphQL layer (src/shoes/graphql/): resolvers, models, inputs, mappers. Not src/graphql itself. */
const FEATURE_GRAPHQL = '^src/[^/]+/graphql/';

/**
 * What runs on its own: the server, the CLIs, migrations and the TypeORM CLI's data source (TypeORM loads them by
 * path), unit specs; type declarations.
 */
const ENTRY_POINTS = [
  '^src/main\\.ts$',
  '\\.cli\\.ts$',
  '^src/database/migrations/',
  '^src/database/data-source\\.ts$',
  '\\.spec\\.ts$',
  '\\.d\\.ts$',
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes load order matter and the layers meaningless; type-only imports count too.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A module nothing imports is dead code, unless it is an entry point (server, CLI, migration) or a test.',
      from: {
        orphan: true,
        pathNot: [
          '^src/main\\.ts$',
          '\\.cli\\.ts$',
          '^src/database/migrations/',
          '\\.spec\\.ts$',
          '\\.d\\.ts$',
          '^test/.+\\.test\\.ts$',
          '^test/(bench|soak)/.+\\.mjs$',
          '^test/support/global-(setup|teardown)\\.ts$',
        ],
      },
      to: {},
    },
    {
      name: 'no-dead-modules',
      severity: 'error',
      comment:
        'Every module of src/ is reachable from an entry point: the server (main.ts), a CLI, a migration or a spec. ' +
        'A module only test/ uses belongs in test/; one nothing uses is dead code.',
      from: { path: ENTRY_POINTS },
      to: { path: '^src/', pathNot: ENTRY_POINTS, reachable: false },
    },
    {
      name: 'domain-imports-only-itself',
      severity: 'error',
      comment: 'The domain is pure: no framework, ORM, driver or logger, and nothing of the rest of the service.',
      from: { path: '^src/shoes/domain/', pathNot: '\\.spec\\.ts$' },
      to: { pathNot: '^src/shoes/domain/' },
    },
    {
      name: 'domain-specs-import-only-the-domain',
      severity: 'error',
      comment: "The domain's specs test it alone: test libraries (devDependencies such as fast-check) and nothing else.",
      from: { path: '^src/shoes/domain/.+\\.spec\\.ts$' },
      to: { pathNot: '^src/shoes/domain/', dependencyTypesNot: ['npm-dev'] },
    },
    {
      name: 'no-feature-graphql-outside-it',
      severity: 'error',
      comment:
        "Only a feature's GraphQL layer itself and the composition roots (src/*.ts, a feature's *.module.ts) import it: " +
        'infrastructure (src/graphql, src/event-store, src/database, ...) and the feature\'s other layers (domain, write, ' +
        'read-model, commands, queries, projections, events, live) never do, so the API is one edge over them.',
      from: { path: '^src/', pathNot: [FEATURE_GRAPHQL, '^src/[^/]+\\.ts$', '^src/[^/]+/[^/]+\\.module\\.ts$'] },
      to: { path: FEATURE_GRAPHQL },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|web|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.cjs', '.d.ts', '.json'],
    },
  },
};
