/** The connection types the schema's `*Connection` and `*Edge` types map onto (see codegen.yml). */
import type { ServerlessCache, ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import type { Connection, Edge } from './connection';

export type SnapshotConnection = Connection<ServerlessCacheSnapshot>;
export type SnapshotEdge = Edge<ServerlessCacheSnapshot>;
export type CacheConnection = Connection<ServerlessCache>;
export type CacheEdge = Edge<ServerlessCache>;
