// A user PUT Alma takes (issue 26 item 2): the relink's PUTs leave the roles out (Alma keeps them when none are
// sent, and refuses a desk role that now lacks its service unit); an account type Alma's PUT refuses (401855) is
// refused at preflight, before any write, in staff words.
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { HOLDING_EMAIL, email, fixturesWith, item, patron, phone } from '../../src/alma-sim/builders';
import { relinkInput } from '../../src/dev/relink-input';
import {
  ownAddresses,
  startHarness,
  staffDeclaresLost,
  userOf,
  waitForProgress,
  writesIn,
  type RelinkHarness,
} from '../support/relink-harness';

type AnyRecord = Record<string, any>;

/** A Circulation Desk Operator role stored before the desk (its service unit) became required. */
const deskRoleWithoutUnit = {
  status: { value: 'ACTIVE' },
  scope: { value: 'MAIN', desc: 'Main Library' },
  role_type: { value: '32', desc: 'Circulation Desk Operator' },
  parameter: [],
};
const patronRole = { status: { value: 'ACTIVE' }, scope: { value: 'INST' }, role_type: { value: '200' } };

describe('a user PUT Alma takes', () => {
  let h: RelinkHarness;
  beforeAll(async () => {
    h = await startHarness(
      fixturesWith({
        users: [
          patron('put.staff', {}, { user_role: [patronRole, deskRoleWithoutUnit] }),
          patron(
            'put.extauth',
            {},
            { account_type: { value: 'INTERNAL_EXTERNAL_AUTH', desc: 'Internal with external authentication' } },
          ),
          patron(
            'put.sis',
            {
              emails: [email('put.sis@example.edu', { segment: 'External' })],
              phones: [phone('+1 555 0177', { segment: 'External' })],
            },
            { account_type: { value: 'EXTERNAL', desc: 'External' }, external_id: 'SIS' },
          ),
        ],
        items: [item('52000000001'), item('52000000002'), item('52000000003')],
      }),
    );
  });
  afterAll(async () => h?.close());

  it('the simulator refuses a PUT that sends back a desk role without its service unit, as Alma does', async () => {
    const user = await h.alma.getUser('put.staff');
    const res = await fetch(`${h.sim.url}/almaws/v1/users/put.staff?format=json`, {
      method: 'PUT',
      headers: { authorization: `apikey ${h.sim.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(user),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/401664.*service unit \(role Circulation Desk Operator\)/);
  });

  it('a patron who is also staff, with a role Alma would now refuse: the relink never sends roles and completes', async () => {
    const before = userOf(h.sim.state(), 'put.staff');
    const started = await h.relinks.start(relinkInput('put.staff', ['52000000001']));
    await staffDeclaresLost(h, started.workflowId);
    const result = await h.temporal.client.workflow.getHandle(started.workflowId).result();
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    // Roles kept by Alma (none sent), the record back as it was, no letter to the patron's own address.
    expect(userOf(h.sim.state(), 'put.staff')).toEqual(before);
    const own = new Set(ownAddresses(before));
    expect(h.sim.notices().filter((n) => n.user_id === 'put.staff' && n.address && own.has(n.address))).toEqual([]);
  });

  it('refuses an account type Alma cannot update (401855) before any write, in staff words', async () => {
    const before = userOf(h.sim.state(), 'put.extauth');
    const from = h.sim.calls().length;
    const started = await h.relinks.start(relinkInput('put.extauth', ['52000000002']));
    const err = await h.temporal.client.workflow
      .getHandle(started.workflowId)
      .result()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const failure = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure.type).toBe('AccountTypeNotSupported');
    expect(failure.message).toMatch(
      /^Patron put\.extauth's account type is "Internal with external authentication", which Alma does not let the relink update .*Nothing was changed\. Relink this loan by hand in Alma/,
    );
    expect(writesIn(h.sim.calls().slice(from))).toEqual([]);
    expect(userOf(h.sim.state(), 'put.extauth')).toEqual(before);
  });

  it('the simulator refuses a PUT on that account type with 401855', async () => {
    const user = (await h.alma.getUser('put.extauth')) as AnyRecord;
    await expect(h.alma.updateUser('put.extauth', user as never)).rejects.toMatchObject({ code: '401855' });
  });

  it('an External (SIS) patron: the holding entry is Internal, and a SIS load mid-relink is caught by the re-read', async () => {
    const before = userOf(h.sim.state(), 'put.sis');
    const started = await h.relinks.start(relinkInput('put.sis', ['52000000003']));
    await waitForProgress(h, started.workflowId, (p) => p.awaiting === 'lost-declaration');
    const holding = (userOf(h.sim.state(), 'put.sis').contact_info.email as AnyRecord[]).find(
      (e) => e.email_address === HOLDING_EMAIL,
    );
    expect(holding).toMatchObject({ preferred: true, segment_type: 'Internal' });

    // The SIS load rebuilds the External segments: the patron's own email preferred again, SMS back on; the
    // Internal holding entry stays.
    expect(h.sim.sisLoad().reloaded).toContain('put.sis');
    const loaded = userOf(h.sim.state(), 'put.sis').contact_info;
    expect(loaded.email.filter((e: AnyRecord) => e.preferred).map((e: AnyRecord) => e.email_address)).toEqual([
      'put.sis@example.edu',
      HOLDING_EMAIL,
    ]);
    expect(loaded.phone[0].preferred_sms).toBe(true);

    // The Lost wait's re-read finds it and swaps again, before the staff member's Lost click sends its letter.
    await waitForProgress(h, started.workflowId, (p) =>
      p.audit.some((a) => /^The swap had been undone in Alma, and was made again/.test(a.message)),
    );
    const reswapped = userOf(h.sim.state(), 'put.sis').contact_info;
    expect(reswapped.email.filter((e: AnyRecord) => e.preferred).map((e: AnyRecord) => e.email_address)).toEqual([
      HOLDING_EMAIL,
    ]);
    expect(reswapped.phone[0].preferred_sms).toBe(false);
    await staffDeclaresLost(h, started.workflowId);
    const result = await h.temporal.client.workflow.getHandle(started.workflowId).result();
    expect(result).toMatchObject({ outcome: 'completed', emailRestored: true, emailVerified: true });
    expect(userOf(h.sim.state(), 'put.sis')).toEqual(before);
    const own = new Set(ownAddresses(before));
    expect(h.sim.notices().filter((n) => n.user_id === 'put.sis' && n.address && own.has(n.address))).toEqual([]);
  });
});
