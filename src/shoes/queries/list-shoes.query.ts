import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import { ShoeOrder } from './shoe-order';
import { ShoeEntity } from '../projections/shoe.entity';
import { decodeShoeCursor, ShoeSortKey } from './shoe-cursor';

export type ShoePage = { shoes: ShoeEntity[]; hasNextPage: boolean; totalCount: number };

export class ListShoesQuery extends Query<ShoePage> {
  constructor(readonly page: { first: number; after: string | null; search: string | null; orderBy: ShoeOrder }) {
    super();
  }
}

/** ORDER BY and keyset predicate per order; each matches one index of the shoes migration. */
type Sort = [expression: string, direction: 'ASC' | 'DESC'][];
const ORDERS: Record<ShoeOrder, { orderBy: Sort; after: string }> = {
  [ShoeOrder.NAME_ASC]: {
    orderBy: [['lower(s.name)', 'ASC'], ['s.id', 'ASC']],
    after: '(lower(s.name), s.id) > (lower(:k0), :k1)',
  },
  [ShoeOrder.CREATED_AT_DESC]: {
    orderBy: [['s.created_at', 'DESC'], ['s.id', 'ASC']],
    after: '(s.created_at < :k0 OR (s.created_at = :k0 AND s.id > :k1))',
  },
  [ShoeOrder.MOST_RATED]: {
    orderBy: [['s.rating_count', 'DESC'], ['lower(s.name)', 'ASC'], ['s.id', 'ASC']],
    after: '(s.rating_count < :k0 OR (s.rating_count = :k0 AND (lower(s.name), s.id) > (lower(:k1), :k2)))',
  },
};

@QueryHandler(ListShoesQuery)
export class ListShoesHandler implements IQueryHandler<ListShoesQuery> {
  constructor(@InjectRepository(ShoeEntity) private readonly shoes: Repository<ShoeEntity>) {}

  async execute({ page }: ListShoesQuery): Promise<ShoePage> {
    const key = page.after === null ? null : decodeShoeCursor(page.orderBy, page.after);
    const filtered = () => withSearch(this.shoes.createQueryBuilder('s'), page.search);
    const [rows, totalCount] = await Promise.all([
      sorted(withAfter(filtered(), page.orderBy, key), ORDERS[page.orderBy].orderBy).limit(page.first + 1).getMany(),
      filtered().getCount(),
    ]);
    return { shoes: rows.slice(0, page.first), hasNextPage: rows.length > page.first, totalCount };
  }
}

/** Case-insensitive substring of name or brand; LIKE wildcards in the search text match literally. */
function withSearch(qb: SelectQueryBuilder<ShoeEntity>, search: string | null): SelectQueryBuilder<ShoeEntity> {
  if (!search) return qb;
  const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return qb.where(`(s.name ILIKE :pattern OR s.brand ILIKE :pattern)`, { pattern });
}

function sorted(qb: SelectQueryBuilder<ShoeEntity>, sort: Sort): SelectQueryBuilder<ShoeEntity> {
  return sort.reduce((q, [expression, direction], i) => (i === 0 ? q.orderBy(expression, direction) : q.addOrderBy(expression, direction)), qb);
}

function withAfter(qb: SelectQueryBuilder<ShoeEntity>, order: ShoeOrder, key: ShoeSortKey | null) {
  if (!key) return qb;
  const params = Object.fromEntries(key.map((v, i) => [`k${i}`, v]));
  return qb.andWhere(ORDERS[order].after, params);
}
