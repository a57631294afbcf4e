import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { ShoeRow } from '../read-model/shoe-row';
import { ShoeReadCache } from '../read-model/shoe-read.cache';

/** `atLeastVersion`: the caller knows the log holds that version and only needs a row reflecting it (ShoeReadCache). */
export class GetShoeQuery extends Query<ShoeRow | null> {
  constructor(
    readonly shoeId: string,
    readonly atLeastVersion?: number,
  ) {
    super();
  }
}

@QueryHandler(GetShoeQuery)
export class GetShoeHandler implements IQueryHandler<GetShoeQuery> {
  constructor(private readonly cache: ShoeReadCache) {}

  execute({ shoeId, atLeastVersion }: GetShoeQuery): Promise<ShoeRow | null> {
    return this.cache.shoeById(shoeId, atLeastVersion);
  }
}
