import { type DynamicModule, Module, type OnModuleInit } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import type { AppSettings } from '../config/app-settings';
import { AppLogger } from '../logging/app-logger.service';
import { DevTokenController } from './dev-token.controller';

/**
 * Development conveniences. The routes are left out of the module (not guarded inside it) in production, so they
 * do not exist there at all: no guard to misconfigure, and `/dev/token` answers 404 like any unknown path.
 */
@Module({})
export class DevToolsModule implements OnModuleInit {
  constructor(
    private readonly config: AppConfigService,
    private readonly logger: AppLogger,
  ) {}

  static forRoot(settings: AppSettings): DynamicModule {
    return { module: DevToolsModule, controllers: settings.env === 'production' ? [] : [DevTokenController] };
  }

  /** Anyone who can reach this server can mint an admin token here: say so where an operator looks. */
  onModuleInit(): void {
    if (this.config.isProduction) return;
    this.logger.child('DevTools').info(`POST /dev/token mints tokens for anyone (NODE_ENV=${this.config.settings.env}; absent in production)`);
  }
}
