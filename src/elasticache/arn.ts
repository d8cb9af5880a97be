/** ElastiCache ARNs: `arn:PARTITION:elasticache:REGION:ACCOUNT:RESOURCE-TYPE:NAME`. */

export type ElastiCacheResourceType = 'serverlesscache' | 'serverlesscachesnapshot';

export interface ElastiCacheResource {
  resourceType: ElastiCacheResourceType;
  name: string;
}

const ARN = /^arn:[a-z-]+:elasticache:[a-z0-9-]*:\d*:(serverlesscache|serverlesscachesnapshot):(.+)$/;

/** The resource an ARN names, or null when it is not a serverless cache or snapshot ARN. */
export function parseElastiCacheArn(arn: string): ElastiCacheResource | null {
  const match = ARN.exec(arn);
  if (match === null) return null;
  return { resourceType: match[1] as ElastiCacheResourceType, name: match[2] as string };
}
