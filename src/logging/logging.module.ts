import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { AppLogger } from './app-logger.service';
import { createWinstonLogger } from './create-winston-logger';

/**
 * Provides the AppLogger everywhere (inject it, or call `.child('Context')` on it). Needs the global ConfigModule.
 */
@Global()
@Module({
  providers: [
    {
      provide: AppLogger,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => new AppLogger(createWinstonLogger(config.settings)),
    },
  ],
  exports: [AppLogger],
})
export class LoggingModule implements OnModuleInit {
  constructor(
    private readonly config: AppConfigService,
    private readonly logger: AppLogger,
  ) {}

  /** Settings are loaded before any logger exists, so their warnings are written here, once, at start-up. */
  onModuleInit(): void {
    const logger = this.logger.child('Config');
    for (const warning of this.config.warnings) logger.warn(warning);
    logger.debug('Settings', this.config.redacted());
  }
}
