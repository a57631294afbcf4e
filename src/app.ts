import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import type { AppSettings } from './config/app-settings';
import { AppLogger } from './logging/app-logger.service';
import { requestIdMiddleware } from './logging/request-id.middleware';
import { securityHeadersMiddleware } from './web/security-headers';
import { serveWebApp } from './web/web-app';

/** Builds the Nest application (not yet listening): used by main.ts and by the e2e tests alike. */
export async function createApp(settings: AppSettings, databaseUrl: string): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(settings, databaseUrl), { bufferLogs: true });
  app.useLogger(app.get(AppLogger));
  app.disable('x-powered-by'); // tells an attacker the framework for free
  app.use(securityHeadersMiddleware); // first, so every page, asset and error answer has them
  app.use(requestIdMiddleware);
  serveWebApp(app); // the dashboard at `/` (web/dist); the API's routes are untouched
  if (settings.corsOrigins.length) app.enableCors({ origin: [...settings.corsOrigins], credentials: false });
  app.enableShutdownHooks([]); // signals are handled by main.ts, which also stops the embedded PostgreSQL
  return app;
}
