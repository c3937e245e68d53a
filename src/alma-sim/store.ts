// The in-memory Alma: records in Alma's own shapes, the lookups circulation needs, and the read views
// (an item's derived fields, links). Records are stored as given so a fixture or a PUT body round-trips.
import { err } from './errors';
import type {
  FeeRecord,
  ItemRecord,
  LibraryRecord,
  LoanRecord,
  RequestRecord,
  SimFixtures,
  UserRecord,
} from './fixtures';
import { BASE_STATUS, processType, REQUEST_ACTIVE_STATUSES } from './vocab';

export interface Desk {
  code: string;
  name: string;
  /** Items scanned in for a request stay in processing unless the scan says place_on_hold_shelf=true. */
  holdShelfProcessing: boolean;
}

export interface SimState {
  libraries: LibraryRecord[];
  users: UserRecord[];
  items: ItemRecord[];
  loans: LoanRecord[];
  requests: RequestRecord[];
  fees: FeeRecord[];
}

// Id prefixes echo the fixture's (loans 73…, requests 84…, fees 95…); the suffix is the institution code.
const ID_PREFIX = { loan: '732', request: '842', fee: '952' } as const;

export const isActiveRequest = (r: RequestRecord) => REQUEST_ACTIVE_STATUSES.has(r.request_status);
export const clone = <T>(value: T): T => structuredClone(value);
export const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export class SimStore {
  readonly libraries: LibraryRecord[];
  readonly users: UserRecord[];
  readonly items: ItemRecord[];
  readonly loans: LoanRecord[];
  readonly requests: RequestRecord[];
  readonly fees: FeeRecord[];
  private readonly counters = { loan: 0, request: 0, fee: 0 };

  constructor(fixtures: SimFixtures) {
    const f = clone(fixtures);
    this.libraries = f.libraries;
    this.users = f.users;
    this.items = f.items;
    this.loans = f.loans;
    this.requests = f.requests;
    this.fees = f.fees;
  }

  newId(kind: keyof typeof ID_PREFIX): string {
    const taken = (id: string) =>
      kind === 'loan'
        ? this.loans.some((l) => l.loan_id === id)
        : kind === 'request'
          ? this.requests.some((r) => r.request_id === id)
          : this.fees.some((f) => f.id === id);
    for (;;) {
      this.counters[kind] += 1;
      const id = `${ID_PREFIX[kind]}${String(this.counters[kind]).padStart(6, '0')}0101`;
      if (!taken(id)) return id;
    }
  }

  // --- users -----------------------------------------------------------------------------------------------

  /** Alma's user_id_type: all_unique (primary id or any identifier), primary_id, or an identifier type code. */
  findUser(id: string, idType = 'all_unique'): UserRecord | undefined {
    const byIdentifier = (u: UserRecord, type?: string) =>
      (u.user_identifier ?? []).some((i) => i.value === id && (!type || i.id_type?.value === type));
    if (idType === 'all_unique') return this.users.find((u) => u.primary_id === id || byIdentifier(u));
    if (idType === 'primary_id') return this.users.find((u) => u.primary_id === id);
    return this.users.find((u) => byIdentifier(u, idType));
  }

  requireUser(id: string, idType?: string): UserRecord {
    const user = this.findUser(id, idType);
    if (!user) throw err.userNotFound(id, idType);
    return user;
  }

  replaceUser(primaryId: string, record: UserRecord): void {
    const index = this.users.findIndex((u) => u.primary_id === primaryId);
    if (index >= 0) this.users[index] = record;
  }

  // --- libraries and desks ---------------------------------------------------------------------------------

  library(code: string): LibraryRecord | undefined {
    return this.libraries.find((l) => l.code === code);
  }

  libraryDesc(code: string): string {
    return this.library(code)?.name ?? code;
  }

  desks(libraryCode: string): Desk[] {
    return (this.library(libraryCode)?.circ_desks ?? []).map((d) =>
      typeof d === 'string'
        ? { code: d, name: d === 'DEFAULT_CIRC_DESK' ? 'Default Circulation Desk' : d, holdShelfProcessing: false }
        : { code: d.code, name: d.name ?? d.code, holdShelfProcessing: d.hold_shelf_processing === true },
    );
  }

  desk(libraryCode: string, deskCode: string): Desk | undefined {
    return this.desks(libraryCode).find((d) => d.code === deskCode);
  }

  // --- items -----------------------------------------------------------------------------------------------

  itemByPid(pid: string): ItemRecord | undefined {
    return this.items.find((i) => i.item_data.pid === pid);
  }

  itemByBarcode(barcode: string): ItemRecord | undefined {
    return this.items.find((i) => i.item_data.barcode === barcode);
  }

  /** The item at that full path, or undefined when the pid is unknown or the bib/holding do not match. */
  itemAt(mmsId: string, holdingId: string, pid: string): ItemRecord | undefined {
    const item = this.itemByPid(pid);
    if (!item || item.bib_data.mms_id !== mmsId || item.holding_data.holding_id !== holdingId) return undefined;
    return item;
  }

  setItemStatus(item: ItemRecord, inPlace: boolean, process: string): void {
    item.item_data.base_status = { ...(inPlace ? BASE_STATUS.IN_PLACE : BASE_STATUS.NOT_IN_PLACE) };
    item.item_data.process_type = processType(process);
  }

  /**
   * The library that circulates the item: its temporary location's while it is in one (holding_data.in_temp_location,
   * temp_library), else its own. A scan-in elsewhere sends it in transit there; a loan is made at a desk of it.
   */
  circulationLibraryOf(item: ItemRecord): string {
    const holding = item.holding_data as { in_temp_location?: boolean; temp_library?: { value?: string } };
    return (holding.in_temp_location && holding.temp_library?.value) || item.item_data.library.value;
  }

  processTypeOf(item: ItemRecord): string {
    return item.item_data.process_type?.value ?? '';
  }

  // --- loans -----------------------------------------------------------------------------------------------

  loanItem(loan: LoanRecord): ItemRecord | undefined {
    return loan.item_id
      ? this.itemByPid(loan.item_id)
      : loan.item_barcode
        ? this.itemByBarcode(loan.item_barcode)
        : undefined;
  }

  loansOfItem(item: ItemRecord): LoanRecord[] {
    return this.loans.filter((l) => this.loanItem(l) === item);
  }

  activeLoanOn(item: ItemRecord): LoanRecord | undefined {
    return this.loansOfItem(item).find((l) => l.loan_status === 'ACTIVE');
  }

  loansOfUser(primaryId: string): LoanRecord[] {
    return this.loans.filter((l) => l.user_id === primaryId);
  }

  // --- requests --------------------------------------------------------------------------------------------

  /** The item's requests; active ones in queue order (place_in_queue, then request date). */
  requestsOn(item: ItemRecord, active = true): RequestRecord[] {
    return this.requests
      .filter((r) => r.item_id === item.item_data.pid && isActiveRequest(r) === active)
      .sort((a, b) => (a.place_in_queue ?? Infinity) - (b.place_in_queue ?? Infinity));
  }

  /** The bib's title-level requests not yet bound to an item; active ones in queue order. */
  titleRequestsOn(mmsId: string, active = true): RequestRecord[] {
    return this.requests
      .filter((r) => r.item_id === undefined && r.mms_id === mmsId && isActiveRequest(r) === active)
      .sort((a, b) => (a.place_in_queue ?? Infinity) - (b.place_in_queue ?? Infinity));
  }

  /** Renumbers the active queue 1..n after a request leaves it. */
  renumberQueue(item: ItemRecord): void {
    this.requestsOn(item).forEach((r, i) => (r.place_in_queue = i + 1));
  }

  /** Renumbers the bib's unbound title-level queue 1..n after a request leaves it. */
  renumberTitleQueue(mmsId: string): void {
    this.titleRequestsOn(mmsId).forEach((r, i) => (r.place_in_queue = i + 1));
  }

  // --- fees ------------------------------------------------------------------------------------------------

  feeUserId(fee: FeeRecord): string {
    return typeof fee.user_primary_id === 'string' ? fee.user_primary_id : fee.user_primary_id.value;
  }

  // --- views -----------------------------------------------------------------------------------------------

  /** GET user: the record as stored; Alma never returns a password, only the empty string. */
  userView(user: UserRecord): UserRecord {
    return { ...clone(user), password: '' };
  }

  /** The item as Alma returns it: status fields always present, `requested` derived from the active queue. */
  itemView(item: ItemRecord, baseUrl?: string): ItemRecord {
    const view = clone(item);
    const process = this.processTypeOf(item);
    view.item_data.process_type ??= processType(process);
    view.item_data.base_status ??= { ...(process === '' ? BASE_STATUS.IN_PLACE : BASE_STATUS.NOT_IN_PLACE) };
    view.item_data.requested = this.requestsOn(item).length > 0;
    if (baseUrl !== undefined) {
      const bib = `${baseUrl}/almaws/v1/bibs/${item.bib_data.mms_id}`;
      const holding = `${bib}/holdings/${item.holding_data.holding_id}`;
      view.bib_data.link = bib;
      view.holding_data.link = holding;
      view.link = `${holding}/items/${item.item_data.pid}`;
    }
    return view;
  }

  loanView(loan: LoanRecord, baseUrl: string): LoanRecord {
    return { ...clone(loan), link: `${baseUrl}/almaws/v1/users/${loan.user_id}/loans/${loan.loan_id}` };
  }

  feeView(fee: FeeRecord, baseUrl: string): FeeRecord {
    return { ...clone(fee), link: `${baseUrl}/almaws/v1/users/${this.feeUserId(fee)}/fees/${fee.id}` };
  }

  snapshot(): SimState {
    return {
      libraries: clone(this.libraries),
      users: clone(this.users),
      items: this.items.map((i) => this.itemView(i)),
      loans: clone(this.loans),
      requests: clone(this.requests),
      fees: clone(this.fees),
    };
  }
}
