/**
 * Commands, imperative. Ids and time come in with the command so that `decide` stays pure and repeatable.
 * Inputs are raw (untrimmed, unchecked): validating them is the domain's job, not the edge's.
 */
export type CreateShoe = {
  type: 'CreateShoe';
  data: { shoeId: string; name: string; brand: string | null };
  metadata: CommandMetadata;
};

export type RenameShoe = {
  type: 'RenameShoe';
  data: { shoeId: string; name: string; expectedVersion: number | null };
  metadata: CommandMetadata;
};

export type SubmitTrueToSize = {
  type: 'SubmitTrueToSize';
  data: { shoeId: string; userId: string; size: number };
  metadata: CommandMetadata;
};

export type RetractTrueToSize = {
  type: 'RetractTrueToSize';
  data: { shoeId: string; userId: string };
  metadata: CommandMetadata;
};

export type ImportTrueToSizes = {
  type: 'ImportTrueToSizes';
  data: { shoeId: string; sizes: number[] };
  metadata: CommandMetadata;
};

export type ShoeCommand = CreateShoe | RenameShoe | SubmitTrueToSize | RetractTrueToSize | ImportTrueToSizes;

export type CommandMetadata = { now: Date; userId: string };
