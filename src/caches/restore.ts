/**
 * Restoring snapshots into a new serverless cache. One instance per request. The snapshots are
 * found first (through the request's loader): their ARNs are what AWS takes, their engine is the
 * default, and one the caller may not see is answered exactly as AWS answers an unknown snapshot.
 * A lost answer is settled as for a snapshot create: a cache of that name, created since the
 * action began, is the one this action made.
 */
import type { ServerlessCache, ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import { auditedMutation } from '../auth/audit';
import type { Authorization } from '../auth/authorization';
import type { ElastiCacheDataSource } from '../elasticache/data-source';
import type { RestoreServerlessCacheFromSnapshotInput } from '../generated/graphql';
import { checkIdempotencyKey, idempotently, type IdempotentMutations } from '../idempotency/idempotently';
import type { Loaders } from '../loaders';
import type { Logger } from '../logger';
import { createServerlessCache, validateRestore, type CreateServerlessCacheFault } from '../operations/create-serverless-cache';
import { lookupServerlessCache } from '../operations/describe-serverless-caches';
import { settleLostAnswers } from '../operations/lost-answers';
import { buildFault } from '../operations/faults';
import { createdSince, fingerprint, tagSet } from '../snapshots/creation';

export type RestoreResult = { __typename: 'RestoreServerlessCacheFromSnapshotSuccess'; serverlessCache: ServerlessCache } | CreateServerlessCacheFault;

interface Answer {
  result: RestoreResult;
  awsRequestId: string | null;
  reconciled?: boolean;
}

export class CacheRestore {
  constructor(
    private readonly elasticache: ElastiCacheDataSource,
    private readonly loaders: Loaders,
    private readonly authorization: Authorization,
    private readonly idempotency: IdempotentMutations,
    private readonly logger: Logger,
    private readonly keyOwner: string,
  ) {}

  restore(input: RestoreServerlessCacheFromSnapshotInput): Promise<RestoreResult> {
    return auditedMutation(
      this.logger,
      { operation: 'restoreServerlessCacheFromSnapshot', serverlessCacheName: input.serverlessCacheName, serverlessCacheSnapshotName: input.snapshotNames.join(',') },
      () => this.restoreAuthorized(input),
    );
  }

  private async restoreAuthorized(input: RestoreServerlessCacheFromSnapshotInput): Promise<Answer & { replayed?: boolean }> {
    this.authorization.assertMayWrite(input.serverlessCacheName);
    this.authorization.assertMayRead();
    const key = input.idempotencyKey;
    if (key != null) checkIdempotencyKey(key);
    const invalid = validateRestore(input);
    if (invalid) return { result: invalid, awsRequestId: null };
    if (input.snapshotNames.length === 0) return { result: this.invalidSnapshot([], 'Name at least one snapshot to restore from.'), awsRequestId: null };
    const run = (since: number, earlierCallUnsettled: boolean) => this.restoreOnce(input, since, earlierCallUnsettled);
    if (key == null) return await run(Date.now(), false);
    // The record is read before the snapshots are looked up: a replay must not depend on them
    // still being there, and the fingerprint is the input's alone.
    const { answer, replayed } = await idempotently<Answer>(this.idempotency, {
      owner: this.keyOwner,
      mutation: 'restoreServerlessCacheFromSnapshot',
      clientKey: key,
      fingerprint: fingerprint([
        input.serverlessCacheName.toLowerCase(),
        input.snapshotNames.map((n) => n.toLowerCase()),
        input.engine ?? null,
        input.majorEngineVersion ?? null,
        input.description ?? null,
        input.kmsKeyId ?? null,
        input.securityGroupIds ?? null,
        input.subnetIds ?? null,
        input.userGroupId ?? null,
        input.snapshotRetentionLimit ?? null,
        input.dailySnapshotTime ?? null,
        tagSet(input.tags),
      ]),
      run,
    });
    return { ...answer, replayed };
  }

  private async restoreOnce(input: RestoreServerlessCacheFromSnapshotInput, since: number, earlierCallUnsettled: boolean): Promise<Answer> {
    const snapshots: ServerlessCacheSnapshot[] = [];
    for (const [index, name] of input.snapshotNames.entries()) {
      const snapshot = await this.loaders.snapshotByName.load(name);
      if (snapshot === null || !this.authorization.mayAccessSnapshot(snapshot) || snapshot.ARN === undefined) {
        return { result: this.invalidSnapshot([String(index)], `There is no serverless cache snapshot named "${name}".`), awsRequestId: null };
      }
      snapshots.push(snapshot);
    }
    const first = snapshots[0]?.ServerlessCacheConfiguration;
    const source = {
      snapshotArns: snapshots.map((s) => s.ARN ?? ''),
      engine: input.engine ?? first?.Engine ?? '',
      majorEngineVersion: input.majorEngineVersion ?? first?.MajorEngineVersion,
    };
    const outcome = await settleLostAnswers(() => createServerlessCache(this.elasticache, input, source), {
      lostIf: ['ServerlessCacheAlreadyExistsFault'],
      find: () => this.madeSince(input.serverlessCacheName, since),
      earlierCallUnsettled,
      logger: this.logger,
    });
    if ('fault' in outcome) return { result: outcome.fault, awsRequestId: outcome.fault.awsRequestId ?? null };
    return { result: { __typename: 'RestoreServerlessCacheFromSnapshotSuccess', serverlessCache: outcome.output }, awsRequestId: null, reconciled: outcome.reconciled };
  }

  /** The cache this action made, if AWS has it: that name, created since the action began. */
  private async madeSince(name: string, since: number): Promise<ServerlessCache | null> {
    const cache = await lookupServerlessCache(this.elasticache, name);
    return cache !== null && createdSince(cache.CreateTime, since) ? cache : null;
  }

  private invalidSnapshot(at: string[], message: string): RestoreResult {
    return buildFault('InvalidParameterValueException', {}, { awsRequestId: null, field: ['snapshotNames', ...at], message });
  }
}
