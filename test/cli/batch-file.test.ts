// The batch file rules on their own (no Temporal, no Alma): what a file must look like, and the line numbers staff
// see when it does not.
import { parseBatchFile } from '../../src/cli/batch-file';
import { CliError } from '../../src/cli/errors';

function problemsOf(text: string): Array<{ line?: number; message: string }> {
  try {
    parseBatchFile(text, 'items.csv');
  } catch (err) {
    if (err instanceof CliError && err.code === 'invalid-input') return err.options.problems ?? [];
    throw err;
  }
  throw new Error('the file was accepted');
}

describe('the batch file', () => {
  it("groups a patron's lines into one relink, in the order of the file", () => {
    const plan = parseBatchFile('patron_id,barcode\nb.one,2001\na.one,1001\nb.one,2002\n', 'items.csv');
    expect(plan.relinks).toEqual([
      {
        patronId: 'b.one',
        rows: [
          { line: 2, patronId: 'b.one', barcode: '2001' },
          { line: 4, patronId: 'b.one', barcode: '2002' },
        ],
      },
      { patronId: 'a.one', rows: [{ line: 3, patronId: 'a.one', barcode: '1001' }] },
    ]);
    expect(plan.rows.map((r) => r.line)).toEqual([2, 3, 4]);
  });

  it('accepts what spreadsheets write: a byte-order mark, CRLF, quotes, spaces, columns in any order, blank lines', () => {
    const plan = parseBatchFile('\ufeffBarcode , Patron_ID\r\n"1001", a.one \r\n\r\n 1002 ,"a.one"\r\n', 'items.csv');
    expect(plan.rows).toEqual([
      { line: 2, patronId: 'a.one', barcode: '1001' },
      { line: 4, patronId: 'a.one', barcode: '1002' },
    ]);
  });

  it('requires the header line', () => {
    expect(problemsOf('a.one,1001\n')).toEqual([
      { line: 1, message: 'the first line must be the header patron_id,barcode (found "a.one,1001")' },
    ]);
    expect(problemsOf('')).toEqual([{ line: 1, message: expect.stringMatching(/the file is empty/) }]);
    expect(problemsOf('patron_id,barcode\n')).toEqual([{ line: 1, message: 'there is no item line under the header' }]);
    expect(problemsOf('patron_id,item\na.one,1\n')).toEqual([
      { line: 1, message: 'unknown column "item": the columns are patron_id and barcode' },
      { line: 1, message: 'column "barcode" is missing' },
    ]);
  });

  it('numbers lines as an editor does, blank lines and multi-line quoted fields included', () => {
    expect(problemsOf('patron_id,barcode\n\na.one,1001\n\n\nbad id,1002\n')).toEqual([
      { line: 6, message: expect.stringMatching(/the patron id "bad id"/) },
    ]);
    expect(problemsOf('patron_id,barcode\na.one,"10\n01"\n')).toEqual([
      { line: 3, message: expect.stringMatching(/barcode "10\n01" has characters/) },
    ]);
  });

  it('reports an unreadable CSV with its line', () => {
    expect(problemsOf('patron_id,barcode\na.one,1001\n"a.two,1002\n')).toEqual([
      { line: 3, message: expect.stringMatching(/Quote Not Closed/) },
    ]);
  });

  it('refuses more items for one patron than one relink takes', () => {
    const lines = Array.from({ length: 31 }, (_, i) => `a.one,${3000 + i}`);
    expect(problemsOf(`patron_id,barcode\n${lines.join('\n')}\n`)).toEqual([
      { line: 2, message: 'patron a.one: 31 barcodes in one relink (at most 30)' },
    ]);
  });
});
