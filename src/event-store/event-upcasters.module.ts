import { DynamicModule, Module } from '@nestjs/common';
import { EVENT_UPCASTERS, Upcaster, UpcasterRegistry } from './upcasting';

/**
 * Provides the process's UpcasterRegistry to EventStore. Global on purpose: EventStoreModule stays a
 * plain static import (one EventStore and one EventFeed per app, whoever imports it) and still finds
 * the registry. Import it once per app; when several slices have upcasters, pass them all here.
 */
@Module({})
export class EventUpcastersModule {
  static forRoot(upcasters: readonly Upcaster[]): DynamicModule {
    return {
      module: EventUpcastersModule,
      global: true,
      providers: [{ provide: EVENT_UPCASTERS, useValue: new UpcasterRegistry(upcasters) }],
      exports: [EVENT_UPCASTERS],
    };
  }
}
