/**
 * The string and number formats of the Kubernetes schemas, checked as the API server does. In a
 * module of their own so that validators compiled to code (and cached on disk) can require them.
 */

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
// The nearest doubles to ±2^63: beyond them a JSON number cannot be an int64.
const INT64_LIMIT = 2 ** 63;
// Go's encoding/json decodes []byte with base64.StdEncoding, which ignores CR and LF.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// metav1.Time is parsed with Go's time.RFC3339 layout.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/;

function isDateTime(s: string): boolean {
  const m = RFC3339.exec(s);
  if (!m) return false;
  const [, , mo, d, h, mi, se, oh, om] = m.map(Number);
  return (
    (mo ?? 0) >= 1 &&
    (mo ?? 0) <= 12 &&
    (d ?? 0) >= 1 &&
    (d ?? 0) <= 31 &&
    (h ?? 0) <= 23 &&
    (mi ?? 0) <= 59 &&
    (se ?? 0) <= 60 &&
    (Number.isNaN(oh) || (oh ?? 0) <= 23) &&
    (Number.isNaN(om) || (om ?? 0) <= 59)
  );
}

export const FORMATS = {
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX },
  int64: { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < INT64_LIMIT },
  double: { type: 'number', validate: (n: number) => Number.isFinite(n) },
  float: { type: 'number', validate: (n: number) => Number.isFinite(n) },
  byte: { type: 'string', validate: (s: string) => BASE64.test(s.replace(/[\r\n]/g, '')) },
  'date-time': { type: 'string', validate: isDateTime },
} as const;
