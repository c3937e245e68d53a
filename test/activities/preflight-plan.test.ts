// The plan is only sound on a record no relink has touched: the preflight refuses a patron whose emails already hold
// the holding address, with or without a marker, before anything is written.
import type { AlmaUser } from '../../src/alma';
import { planFromUntouched } from '../../src/activities/preflight';
import { markerFor } from '../../src/contract';

const HOLDING = 'holding@library.example.edu';
const input = { patronId: 'p1', holdingEmail: HOLDING, marker: markerFor('relink-p1') };
const email = (email_address: string, preferred: boolean, description?: string) => ({
  email_address,
  preferred,
  description,
  email_type: [{ value: 'personal' }],
});
const user = (...emails: ReturnType<typeof email>[]) =>
  ({ primary_id: 'p1', contact_info: { email: emails, phone: [] } }) as unknown as AlmaUser;

describe("the preflight's plan", () => {
  it('records the preferred email of an untouched record', () => {
    const plan = planFromUntouched(user(email('own@x.org', true)), input);
    expect(plan).toMatchObject({ originalPreferredEmail: 'own@x.org', holdingEmail: HOLDING });
  });

  it.each([
    ['preferred, with a marker', email(HOLDING, true, `${markerFor('relink-p1')} Temporary holding address`)],
    ["another relink's marker on another address", email('x@y.org', false, markerFor('relink-old'))],
    ['preferred, its description trimmed away', email(HOLDING, true, '')],
    ['not preferred, no marker (added by hand or trimmed)', email(HOLDING, false)],
  ])('refuses a record that already has the holding address: %s', (_, entry) => {
    expect(() => planFromUntouched(user(email('own@x.org', false), entry), input)).toThrow(
      /already has a relink holding address/,
    );
  });

  it('refuses a record with two preferred emails, before any write, naming no address', () => {
    const refused = () => planFromUntouched(user(email('own@x.org', true), email('old@x.org', true)), input);
    expect(refused).toThrow(
      expect.objectContaining({
        type: 'SeveralPreferredEmails',
        nonRetryable: true,
        message: expect.stringMatching(/^Patron p1's record has 2 preferred emails \(types personal, personal\);/),
      }),
    );
    expect(refused).not.toThrow(/@/);
  });
});
