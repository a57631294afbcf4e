import { Injectable } from '@nestjs/common';
import { type AppSettings, redactedSettings, settingsWarnings } from './app-settings';

/**
 * The one injectable view of the settings. Constructed by ConfigModule.forRoot from already-loaded settings,
 * never by Nest's injector, so tests can hand in whatever settings they need.
 */
@Injectable()
export class AppConfigService {
  constructor(readonly settings: AppSettings) {}

  get isProduction(): boolean {
    return this.settings.env === 'production';
  }

  /** Start-up warnings for operators (e.g. the development JWT secret in use). */
  get warnings(): string[] {
    return settingsWarnings(this.settings);
  }

  /** The settings with secrets masked, for logging. */
  redacted(): Record<string, unknown> {
    return redactedSettings(this.settings);
  }
}
