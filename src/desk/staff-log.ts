// Every staff action with the signed-in name: one JSON line on stdout for the container's log. Ids only, never a
// patron's email, phone or name.

export interface StaffAction {
  staff: string;
  action: string;
  workflowId?: string;
  runId?: string;
  barcodes?: string[];
  patrons?: number;
}

export type StaffLog = (entry: StaffAction) => void;

export const stdoutStaffLog: StaffLog = (entry) =>
  console.log(JSON.stringify({ at: new Date().toISOString(), desk: 'staff-action', ...entry }));
