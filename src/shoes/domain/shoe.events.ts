/**
 * Events of a shoe stream, past tense, as plain typed unions (Emmett style).
 * Time is not part of the data: the event store envelope records `occurredAt`, taken from the command.
 * `userId` is stored so the per-user "current rating" state can be rebuilt from the log;
 * it is never exposed by the public API.
 */
export type ShoeCreated = {
  type: 'ShoeCreated';
  data: { shoeId: string; name: string; brand: string | null };
};

export type ShoeRenamed = {
  type: 'ShoeRenamed';
  data: { shoeId: string; name: string };
};

export type TrueToSizeSubmitted = {
  type: 'TrueToSizeSubmitted';
  data: { shoeId: string; userId: string; size: FitSize; previousSize: FitSize | null };
};

export type TrueToSizeRetracted = {
  type: 'TrueToSizeRetracted';
  data: { shoeId: string; userId: string; retractedSize: FitSize };
};

export type TrueToSizesImported = {
  type: 'TrueToSizesImported';
  data: { shoeId: string; sizes: FitSize[] };
};

export type ShoeEvent = ShoeCreated | ShoeRenamed | TrueToSizeSubmitted | TrueToSizeRetracted | TrueToSizesImported;
export type ShoeEventType = ShoeEvent['type'];

/** 1 = really small, 3 = true to size, 5 = really big. */
export type FitSize = 1 | 2 | 3 | 4 | 5;
