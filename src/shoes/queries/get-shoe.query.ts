import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ShoeEntity } from '../projections/shoe.entity';

export class GetShoeQuery extends Query<ShoeEntity | null> {
  constructor(readonly shoeId: string) {
    super();
  }
}

@QueryHandler(GetShoeQuery)
export class GetShoeHandler implements IQueryHandler<GetShoeQuery> {
  constructor(@InjectRepository(ShoeEntity) private readonly shoes: Repository<ShoeEntity>) {}

  execute({ shoeId }: GetShoeQuery): Promise<ShoeEntity | null> {
    return this.shoes.findOneBy({ id: shoeId });
  }
}
