import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { loadShoePage } from '../read-model/shoe.loaders';
import type { ShoeRow } from '../read-model/shoe-row';
import { decodeShoeCursor } from './shoe-cursor';
import { ShoeOrder } from '../read-model/shoe-order';

export type ShoePage = { shoes: ShoeRow[]; hasNextPage: boolean; totalCount: number };

export class ListShoesQuery extends Query<ShoePage> {
  constructor(readonly page: { first: number; after: string | null; search: string | null; orderBy: ShoeOrder }) {
    super();
  }
}

@QueryHandler(ListShoesQuery)
export class ListShoesHandler implements IQueryHandler<ListShoesQuery> {
  constructor(private readonly dataSource: DataSource) {}

  execute({ page }: ListShoesQuery): Promise<ShoePage> {
    // A cursor is checked before any query: a forged one is bad input, never a failed query.
    const after = page.after === null ? null : decodeShoeCursor(page.orderBy, page.after);
    return loadShoePage(this.dataSource, { first: page.first, search: page.search, orderBy: page.orderBy, after });
  }
}
