// Shapes of the Alma JSON objects the relink reads. Every object is loose: fields this file does not name are kept,
// because a user PUT must send back everything the GET returned. Fields the relink decides on are required;
// the rest are tolerated as missing or null, and ids as numbers or strings.
import { z } from 'zod';

/** An id or code Alma may send as a string or a number; always a string afterwards. */
const id = z.union([z.string(), z.number()]).transform(String);
/** Optional text that may come as null, a number or be missing; `undefined` when absent. */
const optText = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v == null ? undefined : String(v)))
  .optional(); // optional outside the transform too, so the key is optional in the inferred type
const optNumber = z
  .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)])
  .nullish()
  .transform((v) => (v == null ? undefined : Number(v)));
const optBoolean = z.preprocess(
  (v) => (v === 'true' ? true : v === 'false' ? false : v),
  z
    .boolean()
    .nullish()
    .transform((v) => v ?? undefined),
);
/** Alma drops an empty list from its JSON, and may send a lone element where XML had one child. */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v == null ? [] : Array.isArray(v) ? v : [v]), z.array(item));

/** `{ value, desc }`, Alma's code-table reference. */
export const CodeSchema = z.looseObject({ value: optText, desc: optText });
/** A code whose value the relink needs. */
const requiredCode = z.looseObject({ value: id, desc: optText });

// --- Users -------------------------------------------------------------------------------------------------------
// No transforms in the user schemas: the client hands back the exact JSON it received, so the type must describe
// the wire form (null stays null) and a GET → PUT round trip is byte-for-byte.

const userCode = z.looseObject({ value: z.string().nullish(), desc: z.string().nullish() });

export const AlmaEmailSchema = z.looseObject({
  email_address: z.string(),
  description: z.string().nullish(),
  preferred: z.boolean().nullish(),
  segment_type: z.string().nullish(),
  email_type: z.array(userCode).nullish(),
});

export const AlmaPhoneSchema = z.looseObject({
  phone_number: z.string(),
  preferred: z.boolean().nullish(),
  preferred_sms: z.boolean().nullish(),
  segment_type: z.string().nullish(),
  phone_type: z.array(userCode).nullish(),
});

export const AlmaUserBlockSchema = z.looseObject({
  block_type: userCode.nullish(),
  block_description: userCode.nullish(),
  block_status: z.string().nullish(),
  segment_type: z.string().nullish(),
});

export const AlmaUserSchema = z.looseObject({
  primary_id: z.string(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  record_type: userCode.nullish(),
  user_group: userCode.nullish(),
  account_type: userCode.nullish(),
  external_id: z.string().nullish(),
  status: userCode.nullish(),
  expiry_date: z.string().nullish(),
  contact_info: z
    .looseObject({
      email: z.array(AlmaEmailSchema).nullish(),
      phone: z.array(AlmaPhoneSchema).nullish(),
    })
    .nullish(),
  user_block: z.array(AlmaUserBlockSchema).nullish(),
});

// --- Items -------------------------------------------------------------------------------------------------------

export const AlmaItemSchema = z.looseObject({
  bib_data: z.looseObject({ mms_id: id, title: optText, author: optText }),
  holding_data: z.looseObject({ holding_id: id }),
  item_data: z.looseObject({
    pid: id,
    barcode: z.string(),
    base_status: requiredCode,
    process_type: CodeSchema.nullish(),
    library: requiredCode,
    location: CodeSchema.nullish(),
    policy: CodeSchema.nullish(),
    requested: optBoolean,
  }),
  /** Free text after an action such as a scan, e.g. "... Place in Queue: 0". Never parse it for decisions. */
  additional_info: optText,
});

// --- Requests ----------------------------------------------------------------------------------------------------

export const AlmaRequestSchema = z.looseObject({
  request_id: id,
  /** Missing on work-order style requests that have no patron. */
  user_primary_id: optText,
  request_type: optText,
  request_sub_type: CodeSchema.nullish(),
  /** A code (NOT_STARTED) or a display string (Not Started) depending on the endpoint: normalise to compare. */
  request_status: optText,
  place_in_queue: optNumber,
  mms_id: optText,
  item_id: optText,
  barcode: optText,
  title: optText,
  pickup_location_type: optText,
  pickup_location_library: optText,
  pickup_location_circulation_desk: optText,
  comment: optText,
  request_date: optText,
});

/** Body of a request creation; anything beyond these fields is passed through as given. */
export const AlmaRequestCreateSchema = z.looseObject({
  request_type: z.string(),
  pickup_location_type: z.string().optional(),
  pickup_location_library: z.string().optional(),
  pickup_location_circulation_desk: z.string().optional(),
  comment: z.string().optional(),
  last_interest_date: z.string().optional(),
});

// --- Loans -------------------------------------------------------------------------------------------------------

export const AlmaLoanSchema = z.looseObject({
  loan_id: id,
  user_id: optText,
  item_barcode: optText,
  item_id: optText,
  mms_id: optText,
  holding_id: optText,
  title: optText,
  /** ACTIVE / COMPLETE in JSON (the docs say Active, Complete). */
  loan_status: optText,
  /** NORMAL, LOST, ... (codes not confirmed against a live tenant). */
  process_status: optText,
  loan_date: optText,
  due_date: optText,
  return_date: optText,
  library: CodeSchema.nullish(),
  circ_desk: CodeSchema.nullish(),
  request_id: CodeSchema.nullish(),
});

// --- Fees --------------------------------------------------------------------------------------------------------

export const AlmaFeeSchema = z.looseObject({
  id,
  type: requiredCode,
  status: CodeSchema.nullish(),
  user_primary_id: z.union([z.string(), CodeSchema]).nullish(),
  balance: optNumber,
  original_amount: optNumber,
  /** A string in some tenants' answers, `{ value }` in others: read it with `feeBarcode`. */
  barcode: z.union([z.string(), CodeSchema]).nullish(),
  title: optText,
  creation_time: optText,
  status_time: optText,
  comment: optText,
});

// --- Envelopes and errors ----------------------------------------------------------------------------------------

const count = z
  .union([z.number(), z.string().regex(/^\d+$/)])
  .nullish()
  .transform((v) => (v == null ? undefined : Number(v)))
  .optional();

export const AlmaRequestListSchema = z.looseObject({
  user_request: list(AlmaRequestSchema),
  total_record_count: count,
});
export const AlmaLoanListSchema = z.looseObject({ item_loan: list(AlmaLoanSchema), total_record_count: count });
export const AlmaFeeListSchema = z.looseObject({ fee: list(AlmaFeeSchema), total_record_count: count });
/** GET /users (a search) answers brief users: the relink reads only their primary_id, then the record itself. */
export const AlmaUserBriefSchema = z.looseObject({ primary_id: z.string() });
export const AlmaUserListSchema = z.looseObject({ user: list(AlmaUserBriefSchema), total_record_count: count });

/** A library or a circulation desk in the Configuration API (GET /conf/libraries, …/circ-desks): its code is what counts. */
export const AlmaOrgUnitSchema = z.looseObject({ code: z.string(), name: optText });
export const AlmaLibraryListSchema = z.looseObject({ library: list(AlmaOrgUnitSchema) });
export const AlmaCircDeskListSchema = z.looseObject({ circ_desk: list(AlmaOrgUnitSchema), total_record_count: count });
export type AlmaOrgUnit = z.infer<typeof AlmaOrgUnitSchema>;
/** A code table (GET /conf/code-tables/{name}): its rows' codes and descriptions. */
export const AlmaCodeTableRowSchema = z.looseObject({ code: z.string(), description: optText });
export const AlmaCodeTableSchema = z.looseObject({ name: optText, row: list(AlmaCodeTableRowSchema) });
export type AlmaCodeTableRow = z.infer<typeof AlmaCodeTableRowSchema>;

/** A test endpoint's answer: any JSON object; what matters is that Alma let the key through. */
export const AlmaTestAnswerSchema = z.looseObject({});

export const AlmaErrorBodySchema = z.looseObject({
  errorsExist: z.union([z.boolean(), z.string()]).nullish(),
  errorList: z
    .looseObject({
      error: list(
        z.looseObject({
          errorCode: id,
          errorMessage: optText,
          trackingId: optText,
        }),
      ),
    })
    .nullish(),
});

export type AlmaCode = z.infer<typeof CodeSchema>;
export type AlmaEmail = z.infer<typeof AlmaEmailSchema>;
export type AlmaPhone = z.infer<typeof AlmaPhoneSchema>;
export type AlmaUser = z.infer<typeof AlmaUserSchema>;
export type AlmaUserBrief = z.infer<typeof AlmaUserBriefSchema>;
export type AlmaItem = z.infer<typeof AlmaItemSchema>;
export type AlmaRequest = z.infer<typeof AlmaRequestSchema>;
export type AlmaRequestCreate = z.input<typeof AlmaRequestCreateSchema>;
export type AlmaLoan = z.infer<typeof AlmaLoanSchema>;
export type AlmaFee = z.infer<typeof AlmaFeeSchema>;
export type AlmaErrorBody = z.infer<typeof AlmaErrorBodySchema>;

/** The item barcode a fee was charged for, whichever form Alma used. */
export function feeBarcode(fee: AlmaFee): string | undefined {
  const b = fee.barcode;
  return typeof b === 'string' ? b : (b?.value ?? undefined);
}
