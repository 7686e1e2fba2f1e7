// TEST DOUBLE of a Symbol node — the catapult validation result names the double can report (catapult
// `ValidationResult` names as REST prints them in `/transactionStatus`; symbol-openapi TransactionStatusEnum).

export const SYMBOL_FAILURE_CODES = [
  'Failure_Core_Past_Deadline',
  'Failure_Core_Future_Deadline',
  'Failure_Core_Insufficient_Balance',
  'Failure_Core_Wrong_Network',
  'Failure_Core_Invalid_Version',
  'Failure_Hash_Already_Exists',
  'Failure_Signature_Not_Verifiable',
  'Failure_Aggregate_Too_Many_Transactions',
  'Failure_Aggregate_No_Transactions',
  'Failure_Aggregate_Too_Many_Cosignatures',
  'Failure_Aggregate_Redundant_Cosignatures',
  'Failure_Aggregate_Ineligible_Cosignatories',
  'Failure_Aggregate_Missing_Cosignatures',
  'Failure_Aggregate_Transactions_Hash_Mismatch',
  'Failure_Aggregate_V1_Prohibited',
  'Failure_Aggregate_V2_Prohibited',
  'Failure_Aggregate_V3_Prohibited',
  'Failure_LockHash_Unknown_Hash',
  'Failure_Metadata_Value_Too_Small',
  'Failure_Metadata_Value_Too_Large',
  'Failure_Metadata_Value_Size_Delta_Too_Large',
  'Failure_Metadata_Value_Size_Delta_Mismatch',
  'Failure_Metadata_Value_Change_Irreversible',
  'Failure_Transfer_Message_Too_Large',
  'Failure_Chain_Unconfirmed_Cache_Too_Full',
] as const;

/** A catapult failure code, as the `code` of a `failed` transaction status. */
export type SymbolFailureCode = (typeof SYMBOL_FAILURE_CODES)[number];

export function isSymbolFailureCode(value: string): value is SymbolFailureCode {
  return (SYMBOL_FAILURE_CODES as readonly string[]).includes(value);
}
