import { BadRequestException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { Server } from 'node:http';
import { AppModule } from './app.module';
import { installGraphiqlCaching } from './graphiql/graphiql-caching.hook';
import type { AppSettings } from './config/app-settings';
import { installBatchLimit } from './graphql/batch-limit.hook';
import { GRAPHQL_PATH } from './graphql/graphql-options.factory';
import { AppLogger } from './logging/app-logger.service';
import { parseJsonBody } from './web/json-body';
import { clientErrorAnswer, installResponseHeaders, requestIdOf } from './web/security-headers';
import { serveWebApp } from './web/web-app';

/** README "Security": the largest HTTP body; a larger one is answered 413. */
const BODY_LIMIT_BYTES = 100 * 1024;

/**
 * The HTTP server: Fastify under Nest (issue 11: a leaner request path than Express's middleware chain), set up to
 * answer as the Express server did:
 * - Node's own timeouts: keep-alive 5 s (Fastify's default is 72 s), a whole request within 300 s (Fastify's
 *   default is none, which would let a slow client hold a connection forever);
 * - paths match case-insensitively and with or without a trailing slash (`/GraphQL/` reached Apollo on Express);
 * - the request id comes from `x-request-id` when it is a safe token, else a new UUID (resolveRequestId), and the
 *   security headers and `x-request-id` are set first of all, beneath Fastify (installResponseHeaders), so that even a
 *   preflight has them, and so do the answers Fastify and Node.js give before any hook runs (a malformed URL, an
 *   unparsable request, a closing server's 503); Fastify's answers to client errors get them too (clientErrorAnswer).
 */
export function httpAdapter(): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    keepAliveTimeout: 5_000,
    requestTimeout: 300_000,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    genReqId: requestIdOf,
    clientErrorHandler: clientErrorAnswer,
  });
  installResponseHeaders(adapter.getHttpServer() as Server);
  return adapter;
}

/** Builds the Nest application (not yet listening): used by main.ts and by the e2e tests alike. */
export async function createApp(settings: AppSettings, databaseUrl: string): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(settings, databaseUrl), httpAdapter(), { bufferLogs: true });
  app.useLogger(app.get(AppLogger));
  readBodiesAsExpressDid(app);
  const fastify = app.getHttpAdapter().getInstance();
  installBatchLimit(fastify, GRAPHQL_PATH);
  refuseOtherMethods(fastify, GRAPHQL_PATH);
  installGraphiqlCaching(fastify, GRAPHQL_PATH, settings.corsOrigins.length > 0);
  serveWebApp(app); // the dashboard at `/` (web/dist); the API's routes are untouched
  if (settings.corsOrigins.length) {
    // The methods are those Express's `cors` allowed by default, so a preflight answers as it did.
    app.enableCors({ origin: [...settings.corsOrigins], credentials: false, methods: 'GET,HEAD,PUT,PATCH,POST,DELETE' });
  }
  app.enableShutdownHooks([]); // signals are handled by main.ts, which also stops the embedded PostgreSQL
  return app;
}

/**
 * Request bodies, as Express read them:
 * 1. JSON by body-parser's strict rules and words (json-body.ts), a bad one answered 400 by Nest;
 * 2. forms by Nest's own parser (only /dev/token reads one; Apollo refuses them as CSRF);
 * 3. any other type is not read at all (Fastify would answer 415): Apollo then answers with its own error (its CSRF
 *    refusal, or "POST body missing"), as before. text/plain keeps Fastify's own parser (a string Apollo refuses).
 */
function readBodiesAsExpressDid(app: NestFastifyApplication): void {
  app.useBodyParser('application/x-www-form-urlencoded', { bodyLimit: BODY_LIMIT_BYTES });
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT_BYTES }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body.toString('utf8')));
    } catch (error) {
      done(new BadRequestException((error as Error).message), undefined);
    }
  });
  app.getHttpAdapter().getInstance().addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
}

/**
 * Apollo's route takes GET and POST (and OPTIONS); Express passed every other method to Apollo, which answered 405.
 * Fastify would answer 404: the 405 is kept, with Apollo's own words.
 */
function refuseOtherMethods(fastify: FastifyInstance, path: string): void {
  fastify.route({
    method: ['PUT', 'PATCH', 'DELETE'],
    url: path,
    handler: (_request, reply) => {
      void reply
        .code(405)
        .header('allow', 'GET, POST')
        .send({ errors: [{ message: 'Apollo Server supports only GET/POST requests.', extensions: { code: 'BAD_REQUEST' } }] });
    },
  });
}
