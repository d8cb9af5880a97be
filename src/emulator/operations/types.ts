import type { FormParams } from '../form';
import type { EmulatorStore } from '../store';
import type { XmlObject } from '../xml';

/** What an operation may use; one context is made per request so `nowMs` is a single instant. */
export interface OperationContext {
  store: EmulatorStore;
  region: string;
  snapshotAvailableAfterMs: number;
  dailySnapshotQuotaPerCache: number;
  nowMs: number;
  /** Makes the store's current content durable; operations await it before answering a change. */
  persist(): Promise<void>;
}

/** Runs an operation and returns the content of its `<Op>Result>` element, or throws an `AwsError`. */
export type Operation = (params: FormParams, ctx: OperationContext) => XmlObject | Promise<XmlObject>;
