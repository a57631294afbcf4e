import type { RecordedEvent } from '../../event-store/event-store';
import { averageOf } from '../domain';
import type { ShoeEvent } from '../domain/shoe.events';
import type { ShoeRow } from '../read-model/shoe-row';
import type { ShoeEventView } from './shoe-event.model';
import type { ShoeModel } from './shoe.model';

export function toShoeModel(row: ShoeRow): ShoeModel {
  const distribution = [row.size1, row.size2, row.size3, row.size4, row.size5];
  const stats = { count: row.ratingCount, sum: row.ratingSum, distribution: distribution as [number, number, number, number, number] };
  return {
    id: row.id,
    name: row.name,
    brand: row.brand,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
    trueToSize: {
      average: averageOf(stats),
      count: row.ratingCount,
      distribution: distribution.map((count, i) => ({ size: i + 1, count })),
    },
  };
}

/** The public face of an event: envelope plus the event's own fields, minus who rated (never exposed). */
export function toShoeEventView(event: RecordedEvent<ShoeEvent>): ShoeEventView {
  const envelope = { position: event.position, shoeId: event.streamId, version: event.version, occurredAt: event.occurredAt };
  switch (event.type) {
    case 'ShoeCreated':
      return { __typename: event.type, ...envelope, name: event.data.name, brand: event.data.brand };
    case 'ShoeRenamed':
      return { __typename: event.type, ...envelope, name: event.data.name };
    case 'TrueToSizeSubmitted':
      return { __typename: event.type, ...envelope, size: event.data.size, previousSize: event.data.previousSize };
    case 'TrueToSizeRetracted':
      return { __typename: event.type, ...envelope, retractedSize: event.data.retractedSize };
    case 'TrueToSizesImported':
      return { __typename: event.type, ...envelope, sizes: event.data.sizes };
    default: {
      const _exhaustive: never = event;
      throw new Error(`unknown event ${(_exhaustive as RecordedEvent).type}`);
    }
  }
}
