/**
 * Who polls a watched snapshot. In one process, the process does, always. With several replicas,
 * one of those with watchers does (src/redis/snapshot-poll-election.ts), and hands what each poll
 * finds to the others; the watcher (status-watcher.ts) fans it out to its subscribers the same way
 * whichever replica polled.
 */
import type { ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import type { GatewayError } from '../errors';

/** What one poll of a snapshot found. */
export type Observation =
  | { kind: 'snapshot'; snapshot: ServerlessCacheSnapshot }
  /** No snapshot by that name (any more). */
  | { kind: 'gone' }
  /** A failure that ends the watch (not throttling or an outage, which the poller rides out). */
  | { kind: 'failed'; error: GatewayError };

export interface PollEvents {
  /** Start (true) or stop (false) polling here: this process holds the poll, or no longer does. */
  polling(on: boolean): void;
  /** What another replica's poll found. */
  observed(observation: Observation): void;
}

/** This process's part in one snapshot's election, from its first watcher to its last. */
export interface PollSeat {
  /** Hands what this process's poll found to the other replicas; never fails (an outage is the seat's to handle). */
  publish(observation: Observation): void;
  /** The last watcher here left: stop taking part (give the poll up if held). */
  leave(): void;
}

export interface PollElection {
  join(name: string, events: PollEvents): PollSeat;
}

/** One process, no one to share with: this process polls every snapshot its clients watch. */
export const localPollElection: PollElection = {
  join(_name, events) {
    events.polling(true);
    return { publish: () => undefined, leave: () => undefined };
  },
};
