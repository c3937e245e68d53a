import { email, fixturesWith, patron } from '../../src/alma-sim/builders';
import { almaErrorOf, example, useSimulator, type Any } from './helpers';

describe('GET /users/{user_id}', () => {
  const t = useSimulator(() =>
    fixturesWith({
      users: [patron('with.roles', {}, { user_role: [{ status: { value: 'ACTIVE' }, role_type: { value: '200' } }] })],
    }),
  );

  it('returns the full stored record with the password as the empty string', async () => {
    const res = await t.alma.get('/users/okafor.chidi');
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ ...example().users[1], password: '' });
  });

  it('finds a user by any unique identifier, or by a named identifier type', async () => {
    expect((await t.alma.get('/users/21000000000101')).data.primary_id).toBe('rivera.ana');
    expect((await t.alma.get('/users/21000000000101?user_id_type=BARCODE')).data.primary_id).toBe('rivera.ana');
  });

  it('answers an unknown user with 401861, or 401890 when a type was named', async () => {
    const plain = await t.alma.get('/users/nobody.here');
    expect(plain.status).toBe(400);
    expect(almaErrorOf(plain)).toMatchObject({
      errorCode: '401861',
      errorMessage: 'User with identifier nobody.here was not found.',
    });
    const typed = almaErrorOf(await t.alma.get('/users/nobody.here?user_id_type=primary_id'));
    expect(typed).toMatchObject({
      errorCode: '401890',
      errorMessage: 'User with identifier nobody.here of type primary_id was not found.',
    });
  });

  it('gives core information, emails and identifiers only with view=brief', async () => {
    const res = await t.alma.get('/users/okafor.chidi?view=brief');
    expect(res.data.primary_id).toBe('okafor.chidi');
    expect(res.data.contact_info).toEqual({ email: example().users[1].contact_info.email });
    expect(res.data.user_note).toBeUndefined();
    expect(res.data.user_block).toBeUndefined();
  });

  it('adds loan, request and fee counts with expand', async () => {
    const res = await t.alma.get('/users/lindqvist.eva?expand=loans,requests,fees');
    expect(res.data.loans).toEqual({ value: 0 });
    expect(res.data.requests).toEqual({ value: 1 });
    expect(res.data.fees).toEqual({ value: 0, currency: 'USD' });
  });
});

describe('PUT /users/{user_id}', () => {
  const t = useSimulator(() =>
    fixturesWith({
      users: [patron('with.roles', {}, { user_role: [{ status: { value: 'ACTIVE' }, role_type: { value: '200' } }] })],
    }),
  );
  const get = async (id: string) => (await t.alma.get(`/users/${id}`)).data;

  it('puts the GET result back without changing the record', async () => {
    const before = t.sim.state().users;
    for (const user of before) {
      const res = await t.alma.put(`/users/${user.primary_id}`, await get(user.primary_id));
      expect(res.status).toBe(200);
    }
    expect(t.sim.state().users).toEqual(before);
  });

  it('swaps all: a list missing from the body is removed, and the updated user is returned', async () => {
    const user = await get('okafor.chidi');
    delete user.user_note;
    user.contact_info.phone = [];
    user.contact_info.email = [
      {
        email_address: 'holding@library.example.edu',
        preferred: true,
        segment_type: 'Internal',
        email_type: [{ value: 'work' }],
      },
    ];
    const res = await t.alma.put('/users/okafor.chidi', user);
    expect(res.status).toBe(200);
    expect(res.data.user_note).toBeUndefined();
    expect(res.data.contact_info.email).toEqual(user.contact_info.email);
    const stored = t.sim.state().users.find((u) => u.primary_id === 'okafor.chidi');
    expect(stored?.user_note).toBeUndefined();
    expect(stored?.contact_info?.phone).toEqual([]);
  });

  it('keeps the roles when the body has none, and replaces them when it has some', async () => {
    const user = await get('with.roles');
    const roles = user.user_role;
    delete user.user_role;
    expect((await t.alma.put('/users/with.roles', user)).data.user_role).toEqual(roles);
    const other = [{ status: { value: 'ACTIVE' }, role_type: { value: '214' } }];
    expect((await t.alma.put('/users/with.roles', { ...user, user_role: other })).data.user_role).toEqual(other);
  });

  it('refuses a different external_id with 401858 and changes nothing', async () => {
    const before = t.sim.state();
    const user = await get('okafor.chidi');
    const res = await t.alma.put('/users/okafor.chidi', { ...user, external_id: 'OTHER_SIS', first_name: 'X' });
    expect(res.status).toBe(400);
    expect(almaErrorOf(res).errorCode).toBe('401858');
    expect(t.sim.state()).toEqual(before);
  });

  it('does not let the primary_id change', async () => {
    const user = await get('rivera.ana');
    const res = await t.alma.put('/users/rivera.ana', { ...user, primary_id: 'someone.else' });
    expect(res.status).toBe(400);
    expect(almaErrorOf(res).errorCode).toBe('401859');
    expect((await t.alma.get('/users/someone.else')).status).toBe(400);
  });

  it('refuses an email type outside the EmailTypes table (401864) and an email without one (401664)', async () => {
    const user = await get('rivera.ana');
    const withType = (types: unknown) => ({
      ...user,
      contact_info: { ...user.contact_info, email: [{ email_address: 'x@y.org', preferred: true, email_type: types }] },
    });
    const bad = await t.alma.put('/users/rivera.ana', withType([{ value: 'junk' }]));
    expect(almaErrorOf(bad)).toMatchObject({
      errorCode: '401864',
      errorMessage: 'Given email type (junk) is invalid.',
    });
    expect(almaErrorOf(await t.alma.put('/users/rivera.ana', withType([]))).errorCode).toBe('401664');
  });

  it('refuses a body that is not a JSON object with 401676', async () => {
    const res = await t.alma.put('/users/rivera.ana', '[1,2]', { headers: { 'Content-Type': 'application/json' } });
    expect(almaErrorOf(res).errorCode).toBe('401676');
  });

  it('answers an unknown user with 401861', async () => {
    const res = await t.alma.put('/users/nobody.here', await get('rivera.ana'));
    expect(almaErrorOf(res).errorCode).toBe('401861');
  });

  it('keeps an external user protected field that the body leaves empty', async () => {
    const user = await get('okafor.chidi');
    delete user.user_group;
    expect((await t.alma.put('/users/okafor.chidi', user)).data.user_group).toEqual(example().users[1].user_group);
    const forced = await t.alma.put('/users/okafor.chidi?override=user_group', user);
    expect(forced.data.user_group).toBeUndefined();
  });
});

describe('GET /users (search)', () => {
  const holding = 'holding@library.example.edu';
  const t = useSimulator(() =>
    fixturesWith({
      users: ['search.c', 'search.a', 'search.b'].map((id) =>
        patron(id, { emails: [email(`${id}@example.edu`, { preferred: false }), email(holding.toUpperCase())] }),
      ),
    }),
  );

  it('finds the users with an email, by q=email~address in any case, sorted by name, brief', async () => {
    const res = await t.alma.get('/users', { params: { q: `email~${holding}` } });
    expect(res.status).toBe(200);
    expect(res.data.total_record_count).toBe(3);
    expect(res.data.user.map((u: Any) => u.primary_id)).toEqual(['search.a', 'search.b', 'search.c']);
    expect(res.data.user[0]).not.toHaveProperty('contact_info');
    expect(res.data.user[0].link).toMatch(/\/almaws\/v1\/users\/search\.a$/);
  });

  it('pages by limit and offset, with the whole count on every page', async () => {
    const pageAt = async (offset: number) =>
      (await t.alma.get('/users', { params: { q: `email~${holding}`, limit: 2, offset } })).data;
    expect((await pageAt(0)).user.map((u: Any) => u.primary_id)).toEqual(['search.a', 'search.b']);
    expect(await pageAt(2)).toMatchObject({ user: [{ primary_id: 'search.c' }], total_record_count: 3 });
    expect(await pageAt(3)).toEqual({ total_record_count: 3 });
  });

  it('answers no match with an empty list, and refuses a field it cannot search or q with modify_date_from', async () => {
    expect((await t.alma.get('/users', { params: { q: 'email~nobody@nowhere.example' } })).data).toEqual({
      total_record_count: 0,
    });
    expect(almaErrorOf(await t.alma.get('/users', { params: { q: 'shoe_size~42' } })).errorCode).toBe('401666');
    const both = await t.alma.get('/users', { params: { q: 'last_name~a', modify_date_from: '2026-01-01' } });
    expect(almaErrorOf(both).errorCode).toBe('401666');
  });

  it('finds a user by an identifier term and gives the whole record with expand=full', async () => {
    const res = await t.alma.get('/users', { params: { q: 'identifiers~21000000000101', expand: 'full' } });
    expect(res.data.user).toHaveLength(1);
    expect(res.data.user[0]).toMatchObject({ primary_id: 'rivera.ana', contact_info: expect.any(Object) });
  });
});
