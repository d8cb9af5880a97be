import type { ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import type { SubscriptionResolvers } from '../src/generated/graphql';

export const Subscription: SubscriptionResolvers = {
  serverlessCacheSnapshotStatusChanged: {
    subscribe: (_parent, { name }, { snapshotStatus }) => snapshotStatus.watch(name),
    resolve: (snapshot: ServerlessCacheSnapshot) => snapshot,
  },
};
