// The Alma client's one public face. It knows nothing of Temporal: activities wrap it.
export {
  AlmaClient,
  itemRefOf,
  type CancelRequestOptions,
  type CirculationPoint,
  type FeeStatus,
  type ItemRef,
  type LoanItemSelector,
  type LoanStatus,
} from './client';
export type { AlmaClientOptions, AlmaClientStats, CallBounds } from './transport';
export {
  AlmaError,
  AlmaErrorCodes,
  classifyHttpError,
  hasAlmaCode,
  isAlmaError,
  parseErrorBody,
  type AlmaErrorInit,
  type AlmaErrorKind,
  type ParsedErrorBody,
} from './errors';
export { LimiterGaveUp, RateLimiter, type AcquireOptions, type Clock } from './rate-limiter';
export { QuotaFloor, type QuotaFloorOptions } from './quota-floor';
export {
  ALMA_BASE_PATH,
  ALMA_REGION_HOSTS,
  almaBaseUrlForRegion,
  almaBaseUrlFromEnv,
  baseUrlFor,
  isAlmaRegion,
  normaliseBaseUrl,
  type AlmaRegion,
} from './region';
export {
  AlmaEmailSchema,
  AlmaErrorBodySchema,
  AlmaFeeListSchema,
  AlmaFeeSchema,
  AlmaItemSchema,
  AlmaLoanListSchema,
  AlmaLoanSchema,
  AlmaPhoneSchema,
  AlmaRequestCreateSchema,
  AlmaRequestListSchema,
  AlmaRequestSchema,
  AlmaUserBlockSchema,
  AlmaUserSchema,
  CodeSchema,
  feeBarcode,
  type AlmaCode,
  type AlmaEmail,
  type AlmaErrorBody,
  type AlmaFee,
  type AlmaItem,
  type AlmaLoan,
  type AlmaPhone,
  type AlmaRequest,
  type AlmaRequestCreate,
  type AlmaUser,
} from './schemas';
