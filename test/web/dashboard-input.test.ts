import { SubmissionKey } from '../../web/src/idempotency-key';
import { MAX_IMPORT_SIZES, parseSizes } from '../../web/src/sizes-input';

/** The dashboard's pure input logic (web/src), run in Node: what the import box accepts, and when a key is reused. */
describe('parseSizes (the bulk import box)', () => {
  it.each([
    ['1,2,3,4', [1, 2, 3, 4]],
    [' 1, 2 ,3 ,4 ', [1, 2, 3, 4]],
    ['5\n4\n3', [5, 4, 3]], // a spreadsheet column
    ['1 2\t3;4,', [1, 2, 3, 4]],
    ['3', [3]],
  ])('reads %j', (text, sizes) => {
    expect(parseSizes(text)).toEqual({ ok: true, sizes });
  });

  it.each([
    ['', 'Paste at least one size, for example 1,2,3,4.'],
    [' , ', 'Paste at least one size, for example 1,2,3,4.'],
    ['1,2,7', 'Value 3, “7”, is not a size: each must be a whole number from 1 to 5.'],
    ['0', 'Value 1, “0”, is not a size: each must be a whole number from 1 to 5.'],
    ['3.5', 'Value 1, “3.5”, is not a size: each must be a whole number from 1 to 5.'],
    ['1,two', 'Value 2, “two”, is not a size: each must be a whole number from 1 to 5.'],
    ['03', 'Value 1, “03”, is not a size: each must be a whole number from 1 to 5.'],
    ['1,-2', 'Value 2, “-2”, is not a size: each must be a whole number from 1 to 5.'],
    ['1,averyveryverylongvalue', 'Value 2, “averyveryver…”, is not a size: each must be a whole number from 1 to 5.'],
  ])('refuses %j with a sentence', (text, error) => {
    expect(parseSizes(text)).toEqual({ ok: false, error });
  });

  it('takes up to 10,000 sizes, as the API does', () => {
    expect(parseSizes(Array(MAX_IMPORT_SIZES).fill('3').join(','))).toMatchObject({ ok: true });
    expect(parseSizes(Array(MAX_IMPORT_SIZES + 1).fill('3').join(','))).toEqual({
      ok: false,
      error: 'At most 10,000 sizes at once: you pasted 10,001.',
    });
  });
});

describe('SubmissionKey (idempotency keys per form submission)', () => {
  it('keeps the key while the same input is retried, and starts a new one after a success or an edit', () => {
    const submission = new SubmissionKey();
    const first = submission.for('1,2,3,4');
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(submission.for('1,2,3,4')).toBe(first); // a retry after a failure
    const edited = submission.for('1,2,3');
    expect(edited).not.toBe(first);
    submission.succeeded();
    expect(submission.for('1,2,3')).not.toBe(edited); // the same text again is a new import
  });
});
