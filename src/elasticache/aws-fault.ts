/**
 * A fault AWS documents for the operation that was called: the one typed error the AWS layer
 * throws for "AWS understood the request and said no". What a caller makes of it (a union member,
 * null for a lookup, `BAD_USER_INPUT` for a list filter) is decided where it calls, never here.
 */
import serviceModel from '../aws/service-model.json';
import type { AttemptFate } from './attempts';

export type ElastiCacheOperation = keyof typeof serviceModel.operations;

export class AwsFault extends Error {
  constructor(
    /** The model's shape name, which is also the SDK's error name (`InvalidParameterValueException`). */
    override readonly name: string,
    /** The wire code AWS sent (`InvalidParameterValue`). */
    readonly code: string,
    /** AWS's request id for this answer. */
    readonly requestId: string | undefined,
    /** AWS's own message: for logs, and redacted before any client sees it. */
    message: string,
    /** What became of the attempts before the one AWS answered with this fault (creates track them). */
    readonly attempts: readonly AttemptFate[] = [],
  ) {
    super(message);
  }
}

/** The faults AWS documents for `operation`, by shape name (= SDK error name). */
export function documentedFaults(operation: ElastiCacheOperation): readonly string[] {
  return serviceModel.operations[operation].errors;
}

/** The wire code of a modeled fault, by shape name; the name itself for anything else. */
export function wireCode(name: string): string {
  return Object.hasOwn(serviceModel.faults, name) ? serviceModel.faults[name as keyof typeof serviceModel.faults].code : name;
}

/** True when `error` is an AwsFault with one of these shape names. */
export function isAwsFault(error: unknown, ...names: string[]): error is AwsFault {
  return error instanceof AwsFault && (names.length === 0 || names.includes(error.name));
}
