import type { ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import type { Tag } from '../generated/graphql';

/** A snapshot AWS accepted, with the tags the request put on it. */
export interface CreateServerlessCacheSnapshotAccepted {
  serverlessCacheSnapshot: ServerlessCacheSnapshot;
  tags: Tag[];
}
