import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfigService } from './app-config.service';
import type { AppSettings } from './app-settings';

/**
 * Settings are loaded (and validated) before Nest starts, by loadSettings in main.ts, so a bad value stops the
 * process before any module is built; this module only makes them injectable everywhere.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(settings: AppSettings): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: AppConfigService, useValue: new AppConfigService(settings) }],
      exports: [AppConfigService],
    };
  }
}
