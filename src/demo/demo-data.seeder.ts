import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AppConfigService } from '../config/app-config.service';
import { AppLogger } from '../logging/app-logger.service';
import { WriteShoeCommand } from '../shoes/commands/write-shoe.handler';
import { ShoeOrder } from '../shoes/read-model/shoe-order';
import { ListShoesQuery } from '../shoes/queries/list-shoes.query';

/** Who the demo data's commands run as: idempotency keys are scoped to a user, so every instance must use this one. */
export const DEMO_DATA_USER = 'demo-data';

/** A handful of well-known sneakers; `imported` are historic anonymous ratings, `rated` signed-in ones (one user each). */
export const DEMO_SHOES: readonly { name: string; brand: string; imported: number[]; rated: number[] }[] = [
  { name: 'Air Jordan 1 Retro High OG', brand: 'Nike', imported: [3, 3, 4, 3, 2, 3, 3, 4], rated: [3, 4] },
  { name: 'Samba OG', brand: 'adidas', imported: [2, 2, 1, 3, 2, 2], rated: [2] },
  { name: 'Yeezy Boost 350 V2', brand: 'adidas', imported: [1, 2, 2, 3, 2, 3, 2, 2, 3, 4, 2, 5, 2, 3], rated: [] },
  { name: '990v6', brand: 'New Balance', imported: [4, 4, 5, 3, 4], rated: [4, 3] },
  { name: 'Gel-Kayano 14', brand: 'ASICS', imported: [3, 3, 3, 4], rated: [3] },
  { name: 'Chuck 70', brand: 'Converse', imported: [], rated: [] },
];

/**
 * DEMO_DATA (true only in config/development.json, refused in production): when the database has no shoes at start,
 * creates DEMO_SHOES through the CommandBus, so they are real events in the log, with real projections and a feed,
 * exactly as if an admin had typed them in. Nothing is written by SQL.
 *
 * Instances starting together on one empty database may all decide to seed; every command carries a fixed
 * idempotency key under one user, so the second instance's createShoe and importTrueToSizes replay the first one's
 * (the write pipeline serializes them on the key's advisory lock), and a signed-in rating resubmitted with the same value
 * appends nothing. A database that already has any shoe is left alone, so a crash half-way stays half-seeded.
 *
 * Runs in onApplicationBootstrap: Nest calls it on deeper modules first, so CqrsModule (imported here) has registered
 * the handlers by then, and the server listens only after seeding.
 */
@Injectable()
export class DemoDataSeeder implements OnApplicationBootstrap {
  private readonly logger: AppLogger;

  constructor(
    private readonly config: AppConfigService,
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    logger: AppLogger,
  ) {
    this.logger = logger.child('DemoData');
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.settings.demoData || this.config.isProduction) return;
    const seeded = await this.seedIfEmpty();
    if (seeded > 0) {
      this.logger.info(`seeded ${seeded} demo shoes with ratings (DEMO_DATA=true and the database had no shoes)`, { shoes: seeded });
    } else {
      this.logger.debug('demo data not seeded: the database already has shoes');
    }
  }

  /** Seeds when there are no shoes; returns how many demo shoes it created (or replayed). */
  async seedIfEmpty(): Promise<number> {
    const { totalCount } = await this.queryBus.execute(
      new ListShoesQuery({ first: 1, after: null, search: null, orderBy: ShoeOrder.NAME_ASC }),
    );
    if (totalCount > 0) return 0;
    for (const [index, demo] of DEMO_SHOES.entries()) {
      const key = `demo-shoe-${index + 1}`;
      const metadata = () => ({ now: new Date(), userId: DEMO_DATA_USER });
      const created = { type: 'CreateShoe', data: { shoeId: randomUUID(), name: demo.name, brand: demo.brand }, metadata: metadata() } as const;
      const shoe = await this.commandBus.execute(new WriteShoeCommand(created, key));
      if (demo.imported.length) {
        const imported = { type: 'ImportTrueToSizes', data: { shoeId: shoe.id, sizes: demo.imported }, metadata: metadata() } as const;
        await this.commandBus.execute(new WriteShoeCommand(imported, `${key}-import`));
      }
      for (const [shopper, size] of demo.rated.entries()) {
        const userId = `demo-shopper-${shopper + 1}`;
        await this.commandBus.execute(
          new WriteShoeCommand({ type: 'SubmitTrueToSize', data: { shoeId: shoe.id, userId, size }, metadata: { now: new Date(), userId } }),
        );
      }
    }
    return DEMO_SHOES.length;
  }
}
