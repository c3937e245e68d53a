// Item lookups: the barcode shorthand's 302 redirect, followed by hand so the key only ever goes to the base URL.
import { itemRefOf } from '../../src/alma';
import { API_KEY, itemPathOf, sampleItem } from '../support/alma-fixtures';
import { AlmaStub, almaJsonError, closeStubs, stubbedClient, type StubRequest } from '../support/alma-stub';

afterEach(closeStubs);

const item = sampleItem();
const fullPath = itemPathOf(item);

/** Alma's shorthand: 302 from /items?item_barcode= to the item's full path (given as `location`). */
const aliasing = (location: (req: StubRequest) => string) => (req: StubRequest) => {
  if (req.path === '/almaws/v1/items') {
    return req.query.get('item_barcode') === item.item_data.barcode
      ? { status: 302, headers: { location: location(req) } }
      : { status: 400, body: almaJsonError('401689', 'No items found for barcode.') };
  }
  if (req.path === fullPath) return { body: item };
  return { status: 404 };
};

describe('getItemByBarcode', () => {
  it('follows the 302 and sends the key on both requests', async () => {
    let base = '';
    const { stub, client } = await stubbedClient(aliasing(() => `${base}${fullPath}`));
    base = stub.baseUrl;
    const got = await client.getItemByBarcode(item.item_data.barcode);
    expect(itemRefOf(got)).toEqual({
      mmsId: item.bib_data.mms_id,
      holdingId: item.holding_data.holding_id,
      itemPid: item.item_data.pid,
    });
    expect(stub.requests.map((r) => r.url)).toEqual([
      `/almaws/v1/items?item_barcode=${item.item_data.barcode}`,
      fullPath,
    ]);
    for (const r of stub.requests) {
      expect(r.headers.authorization).toBe(`apikey ${API_KEY}`);
      expect(r.headers.accept).toBe('application/json');
    }
    expect(client.stats.calls).toBe(2);
  });

  it('follows a relative Location too', async () => {
    const { stub, client } = await stubbedClient(aliasing(() => fullPath));
    await client.getItemByBarcode(item.item_data.barcode);
    expect(stub.requests[1]!.path).toBe(fullPath);
    expect(stub.requests[1]!.headers.authorization).toBe(`apikey ${API_KEY}`);
  });

  it('never sends the key to another host: the target path is asked of the base URL', async () => {
    const elsewhere = await AlmaStub.start(() => ({ body: item }));
    try {
      const { stub, client } = await stubbedClient(aliasing(() => `${elsewhere.baseUrl}${fullPath}?apikey=leak`));
      await client.getItemByBarcode(item.item_data.barcode);
      expect(elsewhere.requests).toHaveLength(0);
      expect(stub.requests.map((r) => r.url)).toEqual([expect.stringContaining('/almaws/v1/items?'), fullPath]);
    } finally {
      await elsewhere.close();
    }
  });

  it('an unknown barcode is not-found (401689)', async () => {
    const { client } = await stubbedClient(aliasing(() => fullPath));
    await expect(client.getItemByBarcode('nope')).rejects.toMatchObject({ kind: 'not-found', code: '401689' });
  });

  it('a redirect to something that is not an item is invalid-response, and not followed', async () => {
    const { stub, client } = await stubbedClient(aliasing(() => '/almaws/v1/users/someone'));
    await expect(client.getItemByBarcode(item.item_data.barcode)).rejects.toMatchObject({ kind: 'invalid-response' });
    expect(stub.requests).toHaveLength(1);
  });

  it('encodes barcodes and path ids', async () => {
    const { stub, client } = await stubbedClient(() => ({ status: 400, body: almaJsonError('401690', 'Illegal') }));
    await expect(client.getItemByBarcode('A B&C/1')).rejects.toMatchObject({ kind: 'business', code: '401690' });
    await expect(client.getItem({ mmsId: '9/1', holdingId: '2', itemPid: '3' })).rejects.toMatchObject({
      kind: 'business',
    });
    expect(stub.requests[0]!.query.get('item_barcode')).toBe('A B&C/1');
    expect(stub.requests[1]!.path).toBe('/almaws/v1/bibs/9%2F1/holdings/2/items/3');
  });
});

describe('item schema', () => {
  it('tolerates nulls and numbers where Alma is loose, keeps unknown fields', async () => {
    const loose = sampleItem() as unknown as Record<string, Record<string, unknown>>;
    loose.item_data!.pid = 231000000010101;
    loose.item_data!.process_type = { value: null, desc: null };
    loose.item_data!.requested = null;
    loose.item_data!.internal_note_1 = 'kept';
    loose.holding_data!.temp_library = { value: null, desc: null };
    const { client } = await stubbedClient(() => ({ body: loose }));
    const got = await client.getItem({ mmsId: '1', holdingId: '2', itemPid: '3' });
    expect(got.item_data.pid).toBe('231000000010101');
    expect(got.item_data.process_type?.value).toBeUndefined();
    expect(got.item_data.requested).toBeUndefined();
    expect(got.item_data.internal_note_1).toBe('kept');
    expect(got.holding_data.temp_library).toEqual({ value: null, desc: null }); // unknown to the schema: verbatim
  });

  it('is strict about what the relink needs: a missing pid is invalid-response', async () => {
    const broken = sampleItem() as unknown as { item_data: Record<string, unknown> };
    delete broken.item_data.pid;
    const { client } = await stubbedClient(() => ({ body: broken }));
    const err = client.getItem({ mmsId: '1', holdingId: '2', itemPid: '3' });
    await expect(err).rejects.toMatchObject({ kind: 'invalid-response' });
    await expect(err).rejects.toThrow(/item_data\.pid/);
  });
});
