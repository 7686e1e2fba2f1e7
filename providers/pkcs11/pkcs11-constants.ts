// The PKCS#11 numbers the pkcs11 provider uses, defined here so that pure code needs no native module loaded.
//
// Every value is from the OASIS PKCS#11 3.2 header published/3-02/pkcs11t.h (github.com/oasis-tcs/pkcs11);
// the Edwards-curve ones date from 3.0 and the ML-DSA ones from 3.2, which pkcs11js 2.1.7 (written to 2.40)
// does not export. A value never changes once published, so older tokens use the same numbers.

/** CKU_USER: the normal user (crypto officer on HSMs that name roles so). */
export const CKU_USER = 0x1;
/** CKS_RW_USER_FUNCTIONS: a read-write session with the user logged in. */
export const CKS_RW_USER_FUNCTIONS = 0x3;
/** CKF_RW_SESSION | CKF_SERIAL_SESSION: the flags of every session the provider opens. */
export const CKF_RW_SERIAL_SESSION = 0x2 | 0x4;
/** CKF_OS_LOCKING_OK: the library must lock with OS primitives (C_SignAsync signs on a worker thread). */
export const CKF_OS_LOCKING_OK = 0x2;

/** Object classes. */
export const CKO_PUBLIC_KEY = 0x2;
export const CKO_PRIVATE_KEY = 0x3;
export const CKO_SECRET_KEY = 0x4;

/** Key types. */
export const CKK_GENERIC_SECRET = 0x10;
export const CKK_SHA256_HMAC = 0x2b;
export const CKK_EC_EDWARDS = 0x40;
export const CKK_ML_DSA = 0x4a;

/** Attributes. */
export const CKA_CLASS = 0x0;
export const CKA_TOKEN = 0x1;
export const CKA_PRIVATE = 0x2;
export const CKA_LABEL = 0x3;
export const CKA_VALUE = 0x11;
export const CKA_KEY_TYPE = 0x100;
export const CKA_ID = 0x102;
export const CKA_SENSITIVE = 0x103;
export const CKA_SIGN = 0x108;
export const CKA_VERIFY = 0x10a;
export const CKA_VALUE_LEN = 0x161;
export const CKA_EXTRACTABLE = 0x162;
export const CKA_EC_PARAMS = 0x180;
export const CKA_EC_POINT = 0x181;
export const CKA_PARAMETER_SET = 0x61d;

/** Mechanisms. */
export const CKM_SHA256_HMAC = 0x251;
export const CKM_GENERIC_SECRET_KEY_GEN = 0x350;
export const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
export const CKM_EDDSA = 0x1057;
export const CKM_ML_DSA_KEY_PAIR_GEN = 0x1c;
export const CKM_ML_DSA = 0x1d;

/** ML-DSA parameter sets (CKA_PARAMETER_SET of CKK_ML_DSA keys). */
export const CKP_ML_DSA_44 = 0x1;
export const CKP_ML_DSA_65 = 0x2;
export const CKP_ML_DSA_87 = 0x3;

/** Return values the provider reacts to. */
export const CKR_ATTRIBUTE_SENSITIVE = 0x11;
export const CKR_KEY_HANDLE_INVALID = 0x60;
export const CKR_OBJECT_HANDLE_INVALID = 0x82;
export const CKR_SESSION_CLOSED = 0xb0;
export const CKR_SESSION_HANDLE_INVALID = 0xb3;
export const CKR_USER_ALREADY_LOGGED_IN = 0x100;
export const CKR_USER_NOT_LOGGED_IN = 0x101;
export const CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191;

/**
 * CKA_EC_PARAMS of an Ed25519 key: the curveName choice, PrintableString "edwards25519" (the EC Parameters
 * CHOICE of PKCS#11 3.x allows it or the oId 1.3.101.112; SoftHSM 2.6.1 accepts both).
 */
export const ED25519_EC_PARAMS: Uint8Array = Uint8Array.of(
  0x13,
  0x0c,
  ...new TextEncoder().encode('edwards25519'),
);
