import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { ReadSet } from '../../event-store/read-set';
import type { ShoeRow } from '../read-model/shoe-row';
import { ShoeReadCache } from '../read-model/shoe-read.cache';

/**
 * `atLeastVersion`: the caller knows the log holds that version and only needs a row reflecting it (ShoeReadCache).
 * `reads`: the answer's ReadSet (on the GraphQL context), which learns the version served: the shoe's ETag and
 * cached answer are derived from it (src/graphql/http-cache.plugin.ts).
 */
export class GetShoeQuery extends Query<ShoeRow | null> {
  constructor(
    readonly shoeId: string,
    readonly atLeastVersion?: number,
    readonly reads?: ReadSet,
  ) {
    super();
  }
}

@QueryHandler(GetShoeQuery)
export class GetShoeHandler implements IQueryHandler<GetShoeQuery> {
  constructor(private readonly cache: ShoeReadCache) {}

  async execute({ shoeId, atLeastVersion, reads }: GetShoeQuery): Promise<ShoeRow | null> {
    const row = await this.cache.shoeById(shoeId, atLeastVersion);
    reads?.record(shoeId, row?.version ?? 0);
    return row;
  }
}
