import type { ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import type { SubscriptionResolvers } from '../src/generated/graphql';

export const Subscription: SubscriptionResolvers = {
  serverlessCacheSnapshotStatusChanged: {
    subscribe: (_parent, { name }, { snapshots }) => snapshots.watch(name),
    resolve: (snapshot: ServerlessCacheSnapshot) => snapshot,
  },
};
