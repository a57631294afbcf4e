/** The pure shoe domain: events, commands, state and evolve, one decide function per command, errors. */
export type * from './shoe.events';
export type * from './shoe.commands';
export type { Shoe, ShoeDecisionState } from './shoe';
export type { TrueToSizeStats } from './true-to-size';
export { currentRatingOf, decisionStateOf, evolve, evolveInPlace, initialShoe } from './shoe';
export * from './shoe.errors';
export { MAX_BRAND_LENGTH, MAX_NAME_LENGTH, normalizeBrand, normalizeShoeName, normalizeText, shoeNameKey } from './shoe-name';
export { addRating, averageOf, emptyStats, isFitSize, MAX_IMPORT_SIZES, removeRating } from './true-to-size';
export { createShoe, type CreateShoeState } from './create-shoe.decide';
export { renameShoe, type RenameShoeState } from './rename-shoe.decide';
export { submitTrueToSize, type SubmitTrueToSizeState } from './submit-true-to-size.decide';
export { retractTrueToSize, type RetractTrueToSizeState } from './retract-true-to-size.decide';
export { importTrueToSizes, type ImportTrueToSizesState } from './import-true-to-sizes.decide';
export { decide, type ShoeCommandState } from './shoe.decide';
