/**
 * The one way values cross Redis: JSON, with the `Date`s the AWS SDK puts in snapshots and caches
 * (`CreateTime`, `ExpiryTime`) kept as dates. Plain JSON would hand another replica strings, and
 * its answer to the same request would differ from this one's. Answers and snapshot states are
 * otherwise plain data (result union members are object literals), so nothing else needs a type.
 */

const DATE = '$date';

export function encodeJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, converted: unknown) {
    // `converted` has been through Date's toJSON already; the holder still has the Date.
    const original = this[key];
    return original instanceof Date ? { [DATE]: original.toISOString() } : converted;
  });
}

export function decodeJson<T>(text: string): T {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      const iso = (value as Record<string, unknown>)[DATE];
      if (keys.length === 1 && typeof iso === 'string') return new Date(iso);
    }
    return value;
  }) as T;
}
