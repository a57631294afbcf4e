import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { ShoeRow } from '../read-model/shoe-row';
import { shoeById } from '../read-model/shoe.loaders';

export class GetShoeQuery extends Query<ShoeRow | null> {
  constructor(readonly shoeId: string) {
    super();
  }
}

@QueryHandler(GetShoeQuery)
export class GetShoeHandler implements IQueryHandler<GetShoeQuery> {
  constructor(private readonly dataSource: DataSource) {}

  execute({ shoeId }: GetShoeQuery): Promise<ShoeRow | null> {
    return shoeById(this.dataSource, shoeId);
  }
}
