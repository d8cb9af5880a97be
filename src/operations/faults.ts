/**
 * The one table that turns a fault AWS documents (an `AwsFault` from the AWS layer) into the
 * GraphQL type a front end switches on. Each operation's file says which of them its result union
 * holds and what the fault is about (its subject); this table says how each one reads.
 *
 * Keys are the model's shape names, which are also the SDK's error class names and the GraphQL
 * type names. The wire code of each fault comes from the committed service-model extract, so
 * `code` is what AWS sends (`InvalidParameterValue`, not `InvalidParameterValueException`).
 * Messages are the gateway's own, written for people; the names the fault is about come from the
 * request, so a front end can say "the cache demo-valkey" without parsing text.
 */
import serviceModel from '../aws/service-model.json';
import type { AwsFault } from '../elasticache/aws-fault';
import { redactAwsMessage } from '../elasticache/redact';
import type {
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  InvalidServerlessCacheStateFault,
  ServerlessCacheNotFoundFault,
  ServerlessCacheSnapshotAlreadyExistsFault,
  ServerlessCacheSnapshotQuotaExceededFault,
  ServiceLinkedRoleNotFoundFault,
  TagQuotaPerResourceExceeded,
  ServerlessCacheSnapshotNotFoundFault,
  InvalidServerlessCacheSnapshotStateFault,
  ServerlessCacheAlreadyExistsFault,
  ServerlessCacheQuotaForCustomerExceededFault,
  InvalidCredentialsException,
  InvalidUserGroupStateFault,
  UserGroupNotFoundFault,
  InvalidArnFault,
  TagNotFoundFault,
  CacheClusterNotFoundFault,
  CacheParameterGroupNotFoundFault,
  CacheSecurityGroupNotFoundFault,
  CacheSubnetGroupNotFoundFault,
  InvalidReplicationGroupStateFault,
  ReplicationGroupNotFoundFault,
  ReservedCacheNodeNotFoundFault,
  SnapshotNotFoundFault,
  UserNotFoundFault,
} from '../generated/graphql';

/** AWS's documented limit of tags on one resource. */
export const MAX_TAGS_PER_RESOURCE = 50;

/** What the gateway knows about the request a fault answers; used to fill the fault's fields. */
export interface FaultSubject {
  serverlessCacheName?: string;
  serverlessCacheSnapshotName?: string;
  requestedTagCount?: number;
  /** The ARN a tagging call named. */
  resourceName?: string;
}

/** Where a fault came from: AWS (with its request id and message) or the gateway's own checks. */
export interface FaultOrigin {
  awsRequestId: string | null;
  /** AWS's message, for the faults whose detail only AWS knows (bad parameter values). */
  awsMessage?: string;
  /** The gateway's message, when the gateway itself found the fault. */
  message?: string;
  /** The input path of the offending value, when known. */
  field?: string[];
}

type WithTypename<T, N extends string> = Omit<T, '__typename'> & { __typename: N };

/** Every fault type of the schema, as its resolvers receive it. */
export type FaultResult =
  | WithTypename<ServerlessCacheSnapshotAlreadyExistsFault, 'ServerlessCacheSnapshotAlreadyExistsFault'>
  | WithTypename<ServerlessCacheNotFoundFault, 'ServerlessCacheNotFoundFault'>
  | WithTypename<InvalidServerlessCacheStateFault, 'InvalidServerlessCacheStateFault'>
  | WithTypename<ServerlessCacheSnapshotQuotaExceededFault, 'ServerlessCacheSnapshotQuotaExceededFault'>
  | WithTypename<ServiceLinkedRoleNotFoundFault, 'ServiceLinkedRoleNotFoundFault'>
  | WithTypename<TagQuotaPerResourceExceeded, 'TagQuotaPerResourceExceeded'>
  | WithTypename<InvalidParameterValueException, 'InvalidParameterValueException'>
  | WithTypename<InvalidParameterCombinationException, 'InvalidParameterCombinationException'>
  | WithTypename<ServerlessCacheSnapshotNotFoundFault, 'ServerlessCacheSnapshotNotFoundFault'>
  | WithTypename<InvalidServerlessCacheSnapshotStateFault, 'InvalidServerlessCacheSnapshotStateFault'>
  | WithTypename<ServerlessCacheAlreadyExistsFault, 'ServerlessCacheAlreadyExistsFault'>
  | WithTypename<ServerlessCacheQuotaForCustomerExceededFault, 'ServerlessCacheQuotaForCustomerExceededFault'>
  | WithTypename<InvalidCredentialsException, 'InvalidCredentialsException'>
  | WithTypename<InvalidUserGroupStateFault, 'InvalidUserGroupStateFault'>
  | WithTypename<UserGroupNotFoundFault, 'UserGroupNotFoundFault'>
  | WithTypename<InvalidArnFault, 'InvalidARNFault'>
  | WithTypename<TagNotFoundFault, 'TagNotFoundFault'>
  | WithTypename<CacheClusterNotFoundFault, 'CacheClusterNotFoundFault'>
  | WithTypename<CacheParameterGroupNotFoundFault, 'CacheParameterGroupNotFoundFault'>
  | WithTypename<CacheSecurityGroupNotFoundFault, 'CacheSecurityGroupNotFoundFault'>
  | WithTypename<CacheSubnetGroupNotFoundFault, 'CacheSubnetGroupNotFoundFault'>
  | WithTypename<InvalidReplicationGroupStateFault, 'InvalidReplicationGroupStateFault'>
  | WithTypename<ReplicationGroupNotFoundFault, 'ReplicationGroupNotFoundFault'>
  | WithTypename<ReservedCacheNodeNotFoundFault, 'ReservedCacheNodeNotFoundFault'>
  | WithTypename<SnapshotNotFoundFault, 'SnapshotNotFoundFault'>
  | WithTypename<UserNotFoundFault, 'UserNotFoundFault'>;

export type FaultName = FaultResult['__typename'];
export type FaultOf<N extends FaultName> = Extract<FaultResult, { __typename: N }>;
type Common = 'code' | 'awsRequestId' | '__typename';
type Builder<N extends FaultName> = (subject: FaultSubject, origin: FaultOrigin) => Omit<FaultOf<N>, Common>;

const quoted = (name: string | undefined) => (name === undefined ? 'the serverless cache' : `"${name}"`);

const FAULTS: { [N in FaultName]: Builder<N> } = {
  ServerlessCacheSnapshotAlreadyExistsFault: ({ serverlessCacheSnapshotName = '' }) => ({
    serverlessCacheSnapshotName,
    message: `A serverless cache snapshot named "${serverlessCacheSnapshotName}" already exists. Choose another name.`,
  }),
  ServerlessCacheNotFoundFault: ({ serverlessCacheName = '' }) => ({
    serverlessCacheName,
    message: `There is no serverless cache named "${serverlessCacheName}".`,
  }),
  InvalidServerlessCacheStateFault: ({ serverlessCacheName = '' }) => ({
    serverlessCacheName,
    message: `The serverless cache ${quoted(serverlessCacheName)} is not available (it may be creating, modifying or deleting). Try again once it is available.`,
  }),
  ServerlessCacheSnapshotQuotaExceededFault: ({ serverlessCacheName = '' }) => ({
    serverlessCacheName,
    message: `The snapshot quota for the serverless cache ${quoted(serverlessCacheName)} is used up. Try again later, or delete old snapshots or ask AWS for a higher quota.`,
  }),
  ServiceLinkedRoleNotFoundFault: () => ({
    message:
      "ElastiCache's service-linked role (AWSServiceRoleForElastiCache) is missing from the AWS account. An account administrator must create it.",
  }),
  TagQuotaPerResourceExceeded: ({ requestedTagCount }) => ({
    maxTagsPerResource: MAX_TAGS_PER_RESOURCE,
    requestedTagCount: requestedTagCount ?? null,
    message:
      requestedTagCount === undefined
        ? `A snapshot can have at most ${MAX_TAGS_PER_RESOURCE} tags.`
        : `A snapshot can have at most ${MAX_TAGS_PER_RESOURCE} tags; this request has ${requestedTagCount}.`,
  }),
  ServerlessCacheSnapshotNotFoundFault: ({ serverlessCacheSnapshotName = '' }) => ({
    serverlessCacheSnapshotName,
    message: `There is no serverless cache snapshot named "${serverlessCacheSnapshotName}".`,
  }),
  InvalidServerlessCacheSnapshotStateFault: ({ serverlessCacheSnapshotName = '' }) => ({
    serverlessCacheSnapshotName,
    message: `The serverless cache snapshot "${serverlessCacheSnapshotName}" is not available for this (it may be creating, copying, exporting or deleting). Try again once it is available.`,
  }),
  ServerlessCacheAlreadyExistsFault: ({ serverlessCacheName = '' }) => ({
    serverlessCacheName,
    message: `A serverless cache named "${serverlessCacheName}" already exists. Choose another name.`,
  }),
  ServerlessCacheQuotaForCustomerExceededFault: () => ({
    message: 'The account has as many serverless caches in this region as its quota allows. Delete one, or ask AWS for a higher quota.',
  }),
  InvalidCredentialsException: () => ({ message: 'AWS refused the credentials involved in creating the cache.' }),
  InvalidUserGroupStateFault: () => ({ message: 'The user group is not active yet. Try again once it is.' }),
  UserGroupNotFoundFault: () => ({ message: 'The user group does not exist.' }),
  InvalidARNFault: ({ resourceName = '' }) => ({
    resourceName,
    message: `AWS does not recognise the resource "${resourceName}".`,
  }),
  TagNotFoundFault: ({ serverlessCacheSnapshotName = '' }) => ({
    serverlessCacheSnapshotName,
    message: `A tag key to remove is not on the serverless cache snapshot "${serverlessCacheSnapshotName}".`,
  }),
  CacheClusterNotFoundFault: () => ({ message: 'AWS could not find the cache cluster the request named.' }),
  CacheParameterGroupNotFoundFault: () => ({ message: 'AWS could not find the cache parameter group the request named.' }),
  CacheSecurityGroupNotFoundFault: () => ({ message: 'AWS could not find the cache security group the request named.' }),
  CacheSubnetGroupNotFoundFault: () => ({ message: 'AWS could not find the cache subnet group the request named.' }),
  ReplicationGroupNotFoundFault: () => ({ message: 'AWS could not find the replication group the request named.' }),
  ReservedCacheNodeNotFoundFault: () => ({ message: 'AWS could not find the reserved cache node the request named.' }),
  SnapshotNotFoundFault: () => ({ message: 'AWS could not find the node-based snapshot the request named.' }),
  UserNotFoundFault: () => ({ message: 'AWS could not find the user the request named.' }),
  InvalidReplicationGroupStateFault: () => ({ message: 'The replication group the request named is not available.' }),
  InvalidParameterValueException: (_subject, { message, awsMessage, field }) => ({
    field: field ?? null,
    message: message ?? `AWS rejected a value in the request: ${awsMessage === undefined ? 'no detail given' : redactAwsMessage(awsMessage)}`,
  }),
  InvalidParameterCombinationException: (_subject, { message, awsMessage }) => ({
    message: message ?? `AWS rejected a combination of values in the request: ${awsMessage === undefined ? 'no detail given' : redactAwsMessage(awsMessage)}`,
  }),
};

/** The fault, as the GraphQL type of the same name. */
export function buildFault<N extends FaultName>(name: N, subject: FaultSubject, origin: FaultOrigin): FaultOf<N> {
  const specific = FAULTS[name](subject, origin);
  return {
    __typename: name,
    code: serviceModel.faults[name].code,
    awsRequestId: origin.awsRequestId,
    ...specific,
  } as FaultOf<N>;
}

/** True when the gateway has a GraphQL type for this documented fault. */
export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}

/**
 * The union member for a fault AWS answered, when it is one of `members` (the operation's result
 * union); undefined otherwise, for the caller to treat as unexpected.
 */
export function faultMember<N extends FaultName>(fault: AwsFault, members: readonly N[], subject: FaultSubject): FaultOf<N> | undefined {
  if (!(members as readonly string[]).includes(fault.name)) return undefined;
  return buildFault(fault.name as N, subject, { awsRequestId: fault.requestId ?? null, awsMessage: fault.message });
}
