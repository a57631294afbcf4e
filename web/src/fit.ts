/**
 * The fit label of a TrueToSize average (1 = really small … 3 = true to size … 5 = really big):
 * below 2.5 runs small, 2.5 to 3.5 (both included) true to size, above 3.5 runs large.
 */
export type Fit = { label: string; tone: 'none' | 'small' | 'true' | 'large' };

export const FIT_THRESHOLDS = { small: 2.5, large: 3.5 } as const;

export function fitOf(average: number | null | undefined): Fit {
  if (average == null) return { label: 'No ratings yet', tone: 'none' };
  if (average < FIT_THRESHOLDS.small) return { label: 'Runs small', tone: 'small' };
  if (average > FIT_THRESHOLDS.large) return { label: 'Runs large', tone: 'large' };
  return { label: 'True to size', tone: 'true' };
}

export const SIZE_WORDS: Record<number, string> = {
  1: 'really small',
  2: 'a bit small',
  3: 'true to size',
  4: 'a bit big',
  5: 'really big',
};
