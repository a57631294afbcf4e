import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { AppSettings } from './config/app-settings';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DemoDataModule } from './demo/demo-data.module';
import { DevToolsModule } from './dev/dev-tools.module';
import { GraphQLErrorsFilter } from './graphql/graphql-errors.filter';
import { GraphQLOptionsFactory } from './graphql/graphql-options.factory';
import { GraphqlWsServer } from './graphql/graphql-ws.server';
import { LegacySubscriptionsServer } from './graphql/legacy-subscriptions.server';
import { SocketUpgradeRouter } from './graphql/socket-upgrade.router';
import { GraphiQLAssetsController } from './graphiql/graphiql.controller';
import { HealthController } from './health/health.controller';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { ShoesModule } from './shoes/shoes.module';

/** The whole service. `databaseUrl` is resolved before Nest starts (the embedded PostgreSQL, or DATABASE_URL). */
@Module({})
export class AppModule {
  static forRoot(settings: AppSettings, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(settings),
        LoggingModule,
        RateLimitModule,
        DatabaseModule.forRoot(databaseUrl, settings.databasePoolSize),
        MetricsModule,
        // ShoesModule: its read cache proves answers current for the answer cache and ETags (CURRENT_VERSIONS).
        GraphQLModule.forRootAsync<ApolloDriverConfig>({ driver: ApolloDriver, useClass: GraphQLOptionsFactory, imports: [ShoesModule] }),
        ShoesModule,
        DemoDataModule,
        DevToolsModule.forRoot(settings),
      ],
      controllers: [HealthController, GraphiQLAssetsController],
      providers: [{ provide: APP_FILTER, useClass: GraphQLErrorsFilter }, GraphqlWsServer, LegacySubscriptionsServer, SocketUpgradeRouter],
    };
  }
}
