import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { ShoeEntity } from '../projections/shoe.entity';
import { shoeById } from '../projections/shoe-rows';

export class GetShoeQuery extends Query<ShoeEntity | null> {
  constructor(readonly shoeId: string) {
    super();
  }
}

@QueryHandler(GetShoeQuery)
export class GetShoeHandler implements IQueryHandler<GetShoeQuery> {
  constructor(private readonly dataSource: DataSource) {}

  execute({ shoeId }: GetShoeQuery): Promise<ShoeEntity | null> {
    return shoeById(this.dataSource, shoeId);
  }
}
