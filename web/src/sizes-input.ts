/**
 * The bulk import box: pasted text such as "1,2,3,4" (commas, spaces or line breaks between values, as a
 * spreadsheet column pastes) into the 1..5 integer list `importTrueToSizes` takes. Checked here first so a typo gets
 * a sentence naming the bad value before anything is sent; the server checks again (BAD_USER_INPUT).
 * No DOM or React: the unit test imports it from Node.
 */
export const MAX_IMPORT_SIZES = 10000;

export type SizesInput = { ok: true; sizes: number[] } | { ok: false; error: string };

export function parseSizes(text: string): SizesInput {
  const values = text.split(/[\s,;]+/).filter((value) => value !== '');
  if (values.length === 0) return { ok: false, error: 'Paste at least one size, for example 1,2,3,4.' };
  if (values.length > MAX_IMPORT_SIZES) {
    return { ok: false, error: `At most ${MAX_IMPORT_SIZES.toLocaleString('en')} sizes at once: you pasted ${values.length.toLocaleString('en')}.` };
  }
  const sizes: number[] = [];
  for (const [index, value] of values.entries()) {
    if (!/^[1-5]$/.test(value)) {
      return { ok: false, error: `Value ${index + 1}, “${shorten(value)}”, is not a size: each must be a whole number from 1 to 5.` };
    }
    sizes.push(Number(value));
  }
  return { ok: true, sizes };
}

function shorten(value: string): string {
  return value.length > 12 ? `${value.slice(0, 12)}…` : value;
}
