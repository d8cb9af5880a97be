import type { z } from 'zod';

/** One line naming each bad field, e.g. `times: Too small: expected number to be >=1`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ');
}
