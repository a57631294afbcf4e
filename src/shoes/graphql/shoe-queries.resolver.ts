import { QueryBus } from '@nestjs/cqrs';
import { Args, Context, ID, Int, Query, Resolver } from '@nestjs/graphql';
import type { ReadSet } from '../../event-store/read-set';
import { parseFirst, parseId, parseText } from '../../graphql/invalid-argument.error';
import { normalizeText } from '../domain';
import { GetShoeQuery } from '../queries/get-shoe.query';
import { ListEventsQuery } from '../queries/list-events.query';
import { ListShoesQuery } from '../queries/list-shoes.query';
import { encodeShoeCursor, sortKeyOf } from '../queries/shoe-cursor';
import { ShoeEventConnectionModel } from './shoe-event.model';
import { toShoeEventView, toShoeModel } from './shoe.mapper';
import { ShoeOrder } from '../read-model/shoe-order';
import { ShoeConnectionModel, ShoeModel } from './shoe.model';

/** Reads: each resolver only builds a query for the QueryBus and maps the answer to the schema. */
@Resolver(() => ShoeModel)
export class ShoeQueriesResolver {
  constructor(private readonly queryBus: QueryBus) {}

  @Query(() => ShoeModel, { nullable: true, description: 'One shoe by id, as the latest committed write left it; null when unknown.' })
  async shoe(
    @Args('id', { type: () => ID, description: 'The shoe (UUID, any letter case); BAD_USER_INPUT when malformed.' }) id: string,
    @Context('reads') reads: ReadSet | undefined,
  ): Promise<ShoeModel | null> {
    const row = await this.queryBus.execute(new GetShoeQuery(parseId('id', id), undefined, reads));
    return row ? toShoeModel(row) : null;
  }

  @Query(() => ShoeConnectionModel, { description: 'A page of shoes, optionally filtered by `search`, in `orderBy` order (forward pagination with `first`/`after`).' })
  async shoes(
    @Args('first', { type: () => Int, nullable: true, defaultValue: 20, description: 'Page size, 1..100 (BAD_USER_INPUT otherwise).' }) first: number | null,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: 'Start after this cursor (`pageInfo.endCursor` or an edge cursor of the same `orderBy`); BAD_USER_INPUT for any other string.',
    })
    after: string | null,
    @Args('search', {
      type: () => String,
      nullable: true,
      description:
        'Case-insensitive substring of name or brand (wildcards match literally); at most 200 characters, no NUL or unpaired surrogate (BAD_USER_INPUT otherwise). Absent or empty: all shoes.',
    })
    search: string | null,
    @Args('orderBy', { type: () => ShoeOrder, nullable: true, defaultValue: ShoeOrder.NAME_ASC, description: 'The order of the shoes; a cursor holds only for the order it came from.' })
    orderBy: ShoeOrder | null,
  ): Promise<ShoeConnectionModel> {
    const order = orderBy ?? ShoeOrder.NAME_ASC;
    // Normalized as names are stored (NFC, no invisible characters), so a search finds what it looks like.
    const text = search ? normalizeText(parseText('search', search, 200)) : '';
    const page = { first: parseFirst('first', first, 20, 100), after: after ?? null, search: text || null, orderBy: order };
    const { shoes, hasNextPage, totalCount } = await this.queryBus.execute(new ListShoesQuery(page));
    const edges = shoes.map((row) => ({ cursor: encodeShoeCursor(order, sortKeyOf(order, row)), node: toShoeModel(row) }));
    return { edges, totalCount, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @Query(() => ShoeEventConnectionModel, {
    description: 'The event log, oldest first: every event of every shoe (or of one), in the order `shoeEvents` delivers them. It may trail a commit for a moment, but never skips or reorders an event.',
  })
  async events(
    @Args('first', { type: () => Int, nullable: true, defaultValue: 100, description: 'Page size, 1..1000 (BAD_USER_INPUT otherwise).' }) first: number | null,
    @Args('after', {
      type: () => String,
      nullable: true,
      description: "Start after this event: an event's `position` or edge cursor (or `pageInfo.endCursor`); BAD_USER_INPUT for a malformed or unknown one.",
    })
    after: string | null,
    @Args('shoeId', { type: () => ID, nullable: true, description: "Only this shoe's events (UUID, any letter case; BAD_USER_INPUT when malformed)." })
    shoeId: string | null,
  ): Promise<ShoeEventConnectionModel> {
    const page = { first: parseFirst('first', first, 100, 1000), after: after ?? null, shoeId: shoeId ? parseId('shoeId', shoeId) : null };
    const { events, hasNextPage } = await this.queryBus.execute(new ListEventsQuery(page));
    const edges = events.map((event) => ({ cursor: event.position, node: toShoeEventView(event) }));
    return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}
