/**
 * What the resolvers ask of an existing snapshot: copy, delete, export, tag and untag it. One
 * instance per request. Each first finds the snapshot (through the request's loader) to learn its
 * cache: a snapshot the caller may not see is answered as one that does not exist, and one it may
 * see but not change is `FORBIDDEN`, both before the mutation reaches AWS.
 */
import type { ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import { auditedMutation } from '../auth/audit';
import type { Authorization } from '../auth/authorization';
import type { ElastiCacheDataSource } from '../elasticache/data-source';
import { GatewayError, GatewayErrorCode } from '../errors';
import type {
  CopyServerlessCacheSnapshotInput,
  ExportServerlessCacheSnapshotInput,
  Tag,
  TagServerlessCacheSnapshotInput,
  UntagServerlessCacheSnapshotInput,
} from '../generated/graphql';
import { checkIdempotencyKey, idempotently, type IdempotentMutations } from '../idempotency/idempotently';
import type { Loaders } from '../loaders';
import type { Logger } from '../logger';
import {
  copyServerlessCacheSnapshot,
  validateCopyServerlessCacheSnapshot,
  type CopyServerlessCacheSnapshotFault,
} from '../operations/copy-serverless-cache-snapshot';
import { deleteServerlessCacheSnapshot, type DeleteServerlessCacheSnapshotFault } from '../operations/delete-serverless-cache-snapshot';
import { lookupServerlessCacheSnapshot } from '../operations/describe-serverless-cache-snapshots';
import { settleLostAnswers } from '../operations/lost-answers';
import { exportServerlessCacheSnapshot, type ExportServerlessCacheSnapshotFault } from '../operations/export-serverless-cache-snapshot';
import { buildFault, type FaultOf } from '../operations/faults';
import {
  addTagsToSnapshot,
  listSnapshotTags,
  removeTagsFromSnapshot,
  validateTagSnapshot,
  validateUntagSnapshot,
  type TagSnapshotFault,
  type UntagSnapshotFault,
} from '../operations/tagging';
import { fingerprint, isFromThisAction, tagSet } from './creation';

type Success<N extends string, T> = T & { __typename: N };
type NotFound = FaultOf<'ServerlessCacheSnapshotNotFoundFault'>;

export type CopySnapshotResult =
  | Success<'CopyServerlessCacheSnapshotSuccess', { serverlessCacheSnapshot: ServerlessCacheSnapshot; tags: Tag[] }>
  | CopyServerlessCacheSnapshotFault;
export type DeleteSnapshotResult = Success<'DeleteServerlessCacheSnapshotSuccess', { serverlessCacheSnapshot: ServerlessCacheSnapshot }> | DeleteServerlessCacheSnapshotFault;
export type ExportSnapshotResult = Success<'ExportServerlessCacheSnapshotSuccess', { serverlessCacheSnapshot: ServerlessCacheSnapshot }> | ExportServerlessCacheSnapshotFault;
export type TagSnapshotResult = Success<'TagServerlessCacheSnapshotSuccess', { serverlessCacheSnapshot: ServerlessCacheSnapshot; tags: Tag[] }> | TagSnapshotFault;
export type UntagSnapshotResult = Success<'UntagServerlessCacheSnapshotSuccess', { serverlessCacheSnapshot: ServerlessCacheSnapshot; tags: Tag[] }> | UntagSnapshotFault;

interface Answer<R> {
  result: R;
  awsRequestId: string | null;
  reconciled?: boolean;
  replayed?: boolean;
}

export class SnapshotLifecycle {
  constructor(
    private readonly elasticache: ElastiCacheDataSource,
    private readonly loaders: Loaders,
    private readonly authorization: Authorization,
    private readonly idempotency: IdempotentMutations,
    /** Buckets exports may go to (EXPORT_S3_BUCKETS). */
    private readonly mayExportTo: (bucket: string) => boolean,
    private readonly logger: Logger,
    private readonly keyOwner: string,
  ) {}

  copy(input: CopyServerlessCacheSnapshotInput): Promise<CopySnapshotResult> {
    return auditedMutation<CopySnapshotResult>(this.logger, { operation: 'copyServerlessCacheSnapshot', serverlessCacheName: '', serverlessCacheSnapshotName: input.targetServerlessCacheSnapshotName }, async (audit) => {
      this.authorization.assertMayWriteSome();
      const key = input.idempotencyKey;
      if (key != null) checkIdempotencyKey(key);
      const invalid = validateCopyServerlessCacheSnapshot(input);
      if (invalid) return { result: invalid, awsRequestId: null };
      const run = (since: number, earlierCallUnsettled: boolean) => this.copyOnce(input, audit, since, earlierCallUnsettled);
      if (key == null) return await run(Date.now(), false);
      // The record is read before the source is looked up: a replay must not depend on the source
      // still being there.
      const { answer, replayed } = await idempotently<Answer<CopySnapshotResult>>(this.idempotency, {
        owner: this.keyOwner,
        mutation: 'copyServerlessCacheSnapshot',
        clientKey: key,
        fingerprint: fingerprint([
          input.sourceServerlessCacheSnapshotName.toLowerCase(),
          input.targetServerlessCacheSnapshotName.toLowerCase(),
          input.kmsKeyId ?? null,
          tagSet(input.tags),
        ]),
        run,
      });
      return { ...answer, replayed };
    });
  }

  delete(name: string): Promise<DeleteSnapshotResult> {
    return auditedMutation<DeleteSnapshotResult>(this.logger, { operation: 'deleteServerlessCacheSnapshot', serverlessCacheName: '', serverlessCacheSnapshotName: name }, async (audit) => {
      const snapshot = await this.changeable(name);
      if ('__typename' in snapshot) return { result: snapshot, awsRequestId: null };
      audit.serverlessCacheName = cacheOf(snapshot);
      const outcome = await settleLostAnswers(() => deleteServerlessCacheSnapshot(this.elasticache, name), {
        // "Not found" or "not available" on a retry may be the first attempt's own work.
        lostIf: ['ServerlessCacheSnapshotNotFoundFault', 'InvalidServerlessCacheSnapshotStateFault'],
        find: async () => {
          const now = await lookupServerlessCacheSnapshot(this.elasticache, name);
          if (now === null) return { ...snapshot, Status: 'deleting' };
          return now.Status === 'deleting' ? now : null;
        },
        logger: this.logger,
      });
      if ('fault' in outcome) return { result: outcome.fault, awsRequestId: outcome.fault.awsRequestId ?? null };
      return { result: { __typename: 'DeleteServerlessCacheSnapshotSuccess', serverlessCacheSnapshot: outcome.output }, awsRequestId: null, reconciled: outcome.reconciled };
    });
  }

  export(input: ExportServerlessCacheSnapshotInput): Promise<ExportSnapshotResult> {
    return auditedMutation<ExportSnapshotResult>(this.logger, { operation: 'exportServerlessCacheSnapshot', serverlessCacheName: '', serverlessCacheSnapshotName: input.serverlessCacheSnapshotName }, async (audit) => {
      this.authorization.assertMayWriteSome();
      // Data leaves the account's caches: only to buckets the operator named, decided first.
      if (!this.mayExportTo(input.s3BucketName)) {
        throw new GatewayError(GatewayErrorCode.FORBIDDEN, `Exports to the bucket "${input.s3BucketName}" are not allowed by this gateway.`);
      }
      const snapshot = await this.changeable(input.serverlessCacheSnapshotName);
      if ('__typename' in snapshot) return { result: snapshot, awsRequestId: null };
      audit.serverlessCacheName = cacheOf(snapshot);
      const outcome = await settleLostAnswers(() => exportServerlessCacheSnapshot(this.elasticache, input), {
        // A retry finds the snapshot busy with the first attempt's export.
        lostIf: ['InvalidServerlessCacheSnapshotStateFault'],
        find: async () => {
          const now = await lookupServerlessCacheSnapshot(this.elasticache, input.serverlessCacheSnapshotName);
          return now?.Status === 'exporting' ? now : null;
        },
        logger: this.logger,
      });
      if ('fault' in outcome) return { result: outcome.fault, awsRequestId: outcome.fault.awsRequestId ?? null };
      return { result: { __typename: 'ExportServerlessCacheSnapshotSuccess', serverlessCacheSnapshot: outcome.output }, awsRequestId: null, reconciled: outcome.reconciled };
    });
  }

  tag(input: TagServerlessCacheSnapshotInput): Promise<TagSnapshotResult> {
    return auditedMutation<TagSnapshotResult>(this.logger, { operation: 'tagServerlessCacheSnapshot', serverlessCacheName: '', serverlessCacheSnapshotName: input.serverlessCacheSnapshotName }, async (audit) => {
      const snapshot = await this.changeable(input.serverlessCacheSnapshotName);
      if ('__typename' in snapshot) return { result: snapshot, awsRequestId: null };
      audit.serverlessCacheName = cacheOf(snapshot);
      const target = { arn: arnOf(snapshot), serverlessCacheSnapshotName: input.serverlessCacheSnapshotName };
      const invalid = validateTagSnapshot(target, input.tags);
      if (invalid) return { result: invalid, awsRequestId: null };
      const outcome = await settleLostAnswers(() => addTagsToSnapshot(this.elasticache, target, input.tags), {
        // Adding tags again overwrites them with the same values: a retry answers success itself.
        lostIf: [],
        find: async () => {
          const now = await listSnapshotTags(this.elasticache, target.arn);
          const all = input.tags.every(({ key, value }) => now.some((t) => t.key === key && t.value === (value ?? null)));
          return all ? now : null;
        },
        logger: this.logger,
      });
      if ('fault' in outcome) return { result: outcome.fault, awsRequestId: outcome.fault.awsRequestId ?? null };
      return {
        result: { __typename: 'TagServerlessCacheSnapshotSuccess', serverlessCacheSnapshot: snapshot, tags: outcome.output },
        awsRequestId: null,
        reconciled: outcome.reconciled,
      };
    });
  }

  untag(input: UntagServerlessCacheSnapshotInput): Promise<UntagSnapshotResult> {
    return auditedMutation<UntagSnapshotResult>(this.logger, { operation: 'untagServerlessCacheSnapshot', serverlessCacheName: '', serverlessCacheSnapshotName: input.serverlessCacheSnapshotName }, async (audit) => {
      const snapshot = await this.changeable(input.serverlessCacheSnapshotName);
      if ('__typename' in snapshot) return { result: snapshot, awsRequestId: null };
      audit.serverlessCacheName = cacheOf(snapshot);
      const target = { arn: arnOf(snapshot), serverlessCacheSnapshotName: input.serverlessCacheSnapshotName };
      const invalid = validateUntagSnapshot(target, input.tagKeys);
      if (invalid) return { result: invalid, awsRequestId: null };
      const outcome = await settleLostAnswers(() => removeTagsFromSnapshot(this.elasticache, target, input.tagKeys), {
        // A retry is told the tags are not there: the first attempt removed them.
        lostIf: ['TagNotFoundFault'],
        find: async () => {
          const now = await listSnapshotTags(this.elasticache, target.arn);
          return now.some((t) => input.tagKeys.includes(t.key)) ? null : now;
        },
        logger: this.logger,
      });
      if ('fault' in outcome) return { result: outcome.fault, awsRequestId: outcome.fault.awsRequestId ?? null };
      return {
        result: { __typename: 'UntagServerlessCacheSnapshotSuccess', serverlessCacheSnapshot: snapshot, tags: outcome.output },
        awsRequestId: null,
        reconciled: outcome.reconciled,
      };
    });
  }

  /**
   * The snapshot, when the caller may change it. One it may not see is "not found" (answered by
   * the gateway, as AWS would for a name that does not exist); one it may see but not change is
   * `FORBIDDEN`.
   */
  private async changeable(name: string): Promise<ServerlessCacheSnapshot | NotFound> {
    this.authorization.assertMayWriteSome();
    const snapshot = await this.loaders.snapshotByName.load(name);
    if (snapshot === null || !this.authorization.mayAccessSnapshot(snapshot)) {
      return buildFault('ServerlessCacheSnapshotNotFoundFault', { serverlessCacheSnapshotName: name }, { awsRequestId: null });
    }
    this.authorization.assertMayWrite(cacheOf(snapshot));
    return snapshot;
  }

  private async copyOnce(
    input: CopyServerlessCacheSnapshotInput,
    audit: { serverlessCacheName: string },
    since: number,
    earlierCallUnsettled: boolean,
  ): Promise<Answer<CopySnapshotResult>> {
    const source = await this.changeable(input.sourceServerlessCacheSnapshotName);
    if ('__typename' in source) return { result: source, awsRequestId: null };
    const cache = cacheOf(source);
    audit.serverlessCacheName = cache;
    const outcome = await settleLostAnswers(() => copyServerlessCacheSnapshot(this.elasticache, input, cache), {
      lostIf: ['ServerlessCacheSnapshotAlreadyExistsFault'],
      find: () => this.copiedSince(input.targetServerlessCacheSnapshotName, cache, since),
      earlierCallUnsettled,
      logger: this.logger,
    });
    if ('fault' in outcome) return { result: outcome.fault, awsRequestId: outcome.fault.awsRequestId ?? null };
    return {
      result: {
        __typename: 'CopyServerlessCacheSnapshotSuccess',
        serverlessCacheSnapshot: outcome.output,
        tags: (input.tags ?? []).map(({ key, value }) => ({ key, value: value ?? null })),
      },
      awsRequestId: null,
      reconciled: outcome.reconciled,
    };
  }

  /** The copy this action made, if AWS has it: the target name, of the source's cache, made since the action began. */
  private async copiedSince(target: string, cache: string, since: number): Promise<ServerlessCacheSnapshot | null> {
    const snapshot = await lookupServerlessCacheSnapshot(this.elasticache, target);
    return snapshot !== null && isFromThisAction(snapshot, { serverlessCacheName: cache }, since) ? snapshot : null;
  }
}

const cacheOf = (snapshot: ServerlessCacheSnapshot): string => snapshot.ServerlessCacheConfiguration?.ServerlessCacheName ?? '';

function arnOf(snapshot: ServerlessCacheSnapshot): string {
  if (snapshot.ARN === undefined) throw new GatewayError(GatewayErrorCode.INTERNAL_SERVER_ERROR);
  return snapshot.ARN;
}


