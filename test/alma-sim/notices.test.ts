import { fixturesWith, item, patron } from '../../src/alma-sim/builders';
import { DESK, useSimulator } from './helpers';

const A = item('30000000080', { processType: '' });
const B = item('30000000081', { processType: '' });

describe('letters', () => {
  const t = useSimulator(() =>
    fixturesWith({
      users: [
        patron('no.email', { emails: [] }),
        patron(
          'not.preferred',
          {},
          {
            contact_info: {
              email: [{ email_address: 'np@example.edu', preferred: false, email_type: [{ value: 'personal' }] }],
              phone: [{ phone_number: '+1 555 0199', preferred: true, preferred_sms: false }],
            },
          },
        ),
      ],
      items: [A, B],
    }),
  );

  it('go by email and, for SMS-enabled letters, to the preferred_sms phone as well', async () => {
    await t.alma.post(`/users/okafor.chidi/loans?item_barcode=${A.item_data.barcode}`, DESK);
    expect(t.sim.notices()).toEqual([
      expect.objectContaining({
        letter: 'FulLoanReceiptLetter',
        user_id: 'okafor.chidi',
        channel: 'email',
        address: 'chidi.okafor@example.org',
      }),
      expect.objectContaining({
        letter: 'FulLoanReceiptLetter',
        user_id: 'okafor.chidi',
        channel: 'sms',
        address: '+1 555 0100',
      }),
    ]);
  });

  it('send the email-only cancellation letter without an SMS', async () => {
    const req = await t.alma.post(`/users/okafor.chidi/requests?item_pid=${B.item_data.pid}`, {
      request_type: 'HOLD',
      pickup_location_type: 'LIBRARY',
      pickup_location_library: 'MAIN',
    });
    await t.alma.delete(`/users/okafor.chidi/requests/${req.data.request_id}?reason=CancelledAtPatronRequest`);
    expect(t.sim.notices().map((n) => [n.letter, n.channel])).toEqual([['FulCancelRequestLetter', 'email']]);
  });

  it('are recorded with address null for a patron with no preferred email (and no SMS phone)', async () => {
    await t.alma.post(`/users/no.email/loans?item_barcode=${A.item_data.barcode}`, DESK);
    await t.alma.post(`/users/not.preferred/loans?item_barcode=${B.item_data.barcode}`, DESK);
    expect(t.sim.notices().map((n) => [n.user_id, n.channel, n.address])).toEqual([
      ['no.email', 'email', null],
      ['not.preferred', 'email', null],
    ]);
  });

  it('carry an id and a time, and GET /_sim/notices shows the same list', async () => {
    await t.alma.post(`/users/rivera.ana/loans?item_barcode=${A.item_data.barcode}`, DESK);
    const [notice] = t.sim.notices();
    expect(notice).toMatchObject({ id: expect.any(String), at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect((await t.root.get('/_sim/notices')).data).toEqual(t.sim.notices());
  });
});
