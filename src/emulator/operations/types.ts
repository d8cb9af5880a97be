import type { FormParams } from '../form';
import type { EmulatorStore } from '../store';
import type { XmlObject } from '../xml';

/** What an operation may use; one context is made per request so `nowMs` is a single instant. */
export interface OperationContext {
  store: EmulatorStore;
  region: string;
  /** How long new (created or copied) snapshots stay `creating`. */
  snapshotAvailableAfterMs: number;
  /** How long deleted snapshots stay `deleting` before they are gone. */
  snapshotDeleteAfterMs: number;
  /** How long exports keep a snapshot `exporting`. */
  snapshotExportAfterMs: number;
  /** How long new caches stay `creating`. */
  cacheAvailableAfterMs: number;
  dailySnapshotQuotaPerCache: number;
  serverlessCacheQuota: number;
  nowMs: number;
  /** Makes the store's current content durable; operations await it before answering a change. */
  persist(): Promise<void>;
}

/** Runs an operation and returns the content of its `<Op>Result>` element, or throws an `AwsError`. */
export type Operation = (params: FormParams, ctx: OperationContext) => XmlObject | Promise<XmlObject>;
