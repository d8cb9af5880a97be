/**
 * What every mutation's operation file does with its call: send it recording each attempt's fate,
 * and turn a documented fault into the union member its result holds (anything else it documents
 * is unexpected here, and says so in the log).
 */
import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-elasticache';
import type { AttemptFate } from '../elasticache/attempts';
import { AwsFault, type ElastiCacheOperation } from '../elasticache/aws-fault';
import type { ElastiCacheCommand, ElastiCacheDataSource } from '../elasticache/data-source';
import { buildFault, faultMember, type FaultName, type FaultOf, type FaultSubject } from './faults';
import type { RuleViolation } from '../aws/rules';

export type MutationOutcome<T, N extends FaultName> =
  | { output: T }
  /** A documented fault, and what became of the attempts before the one it answered. */
  | { fault: FaultOf<N>; attempts: readonly AttemptFate[] };

export async function sendForMember<I extends ServiceInputTypes, O extends ServiceOutputTypes, N extends FaultName>(
  aws: ElastiCacheDataSource,
  operation: ElastiCacheOperation,
  command: ElastiCacheCommand<I, O>,
  members: readonly N[],
  subject: FaultSubject,
): Promise<MutationOutcome<O, N>> {
  try {
    return { output: await aws.send(operation, command) };
  } catch (error) {
    if (!(error instanceof AwsFault)) throw error;
    const fault = faultMember(error, members, subject);
    if (fault === undefined) throw aws.unexpected(error);
    return { fault, attempts: error.attempts };
  }
}

/** A documented rule the input breaks (src/aws/rules.ts), as the fault AWS would answer with. */
export function ruleFault(
  violation: RuleViolation,
  subject: FaultSubject,
  /** The input's name for a rule field, where the mutation's input names it differently. */
  rename: (field: readonly string[]) => string[] = (field) => [...field],
): FaultOf<'InvalidParameterValueException' | 'TagQuotaPerResourceExceeded'> {
  if (violation.kind === 'tag-quota') {
    return buildFault('TagQuotaPerResourceExceeded', { ...subject, requestedTagCount: violation.tagCount }, { awsRequestId: null });
  }
  return buildFault('InvalidParameterValueException', subject, { awsRequestId: null, field: rename(violation.field), message: violation.message });
}
