/**
 * Live snapshot status for subscriptions: one poll of AWS per snapshot name, however many clients
 * watch it, fanned out to each of them. AWS offers no push for snapshot status and throttles
 * control-plane calls per account, so the poll is shared, backs off while nothing changes, stops
 * when the last watcher leaves, and rides out throttling instead of ending subscriptions.
 *
 * Which process polls is the election's to say (poll-election.ts): this one alone, or, with
 * several replicas, one of those with watchers, which hands each result to the others. Either way
 * a result reaches this process's watchers through `deliver`, whoever polled.
 */
import type { ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import { Repeater } from '@repeaterjs/repeater';
import type { SubscriptionConfig } from '../config';
import { GatewayError, GatewayErrorCode } from '../errors';
import type { Logger } from '../logger';
import { inRootSpan } from '../observability/tracing';
import { localPollElection, type Observation, type PollElection, type PollSeat } from './poll-election';

/** Statuses a snapshot passes through on its way to a final one; any other status is final. */
const TRANSITIONAL_STATUSES = new Set(['creating', 'copying', 'exporting', 'restoring', 'deleting']);

export function isFinalStatus(status: string | undefined): boolean {
  return status !== undefined && !TRANSITIONAL_STATUSES.has(status);
}

/** Failures worth polling through: they say nothing about the snapshot. */
const TRANSIENT_CODES = new Set<string>([GatewayErrorCode.UPSTREAM_THROTTLED, GatewayErrorCode.UPSTREAM_UNAVAILABLE]);
const BACKOFF_FACTOR = 1.5;

function noSuchSnapshot(name: string): GatewayError {
  return new GatewayError(GatewayErrorCode.BAD_USER_INPUT, `There is no serverless cache snapshot named "${name}".`, { argumentName: 'name' });
}

type Describe = (name: string) => Promise<ServerlessCacheSnapshot | null>;

interface Watcher {
  push(snapshot: ServerlessCacheSnapshot): void;
  stop(error?: Error): void;
}

interface Poll {
  watchers: Set<Watcher>;
  last: ServerlessCacheSnapshot | undefined;
  intervalMs: number;
  timer: NodeJS.Timeout | undefined;
  /** Whether this process polls AWS for it now (the election says). */
  polling: boolean;
  /** Bumped whenever polling starts or stops, so that a poll in flight from before does nothing. */
  round: number;
  seat: PollSeat | undefined;
}

export class SnapshotStatusWatcher {
  private readonly polls = new Map<string, Poll>();
  private readonly logger: Logger;

  constructor(
    private readonly describe: Describe,
    private readonly config: Pick<SubscriptionConfig, 'pollIntervalMs' | 'maxPollIntervalMs'>,
    logger: Logger,
    private readonly election: PollElection = localPollElection,
  ) {
    this.logger = logger.child({ component: 'snapshot-status' });
  }

  /** Snapshot names polled right now (one poll each, whatever the number of watchers). */
  get activePolls(): number {
    return this.polls.size;
  }

  /** Snapshot names this process polls AWS for right now (with replicas: those whose poll it holds). */
  get pollsHeld(): number {
    let held = 0;
    for (const poll of this.polls.values()) if (poll.polling) held++;
    return held;
  }

  /**
   * The snapshot's state now, then each change of its status; ends after a final status or when
   * the snapshot disappears. Returning from the iterator (a client unsubscribing) leaves the poll.
   * A snapshot this watcher may not see (`visible` says no) ends it exactly as an unknown name does.
   */
  watch(name: string, visible: (snapshot: ServerlessCacheSnapshot) => boolean = () => true): AsyncIterableIterator<ServerlessCacheSnapshot> {
    const key = name.toLowerCase();
    return new Repeater<ServerlessCacheSnapshot>(async (push, stop) => {
      const watcher: Watcher = {
        push: (s) => (visible(s) ? void push(s) : stop(noSuchSnapshot(key))),
        stop: (error) => stop(error),
      };
      const poll = this.join(key, watcher);
      await stop;
      this.leave(key, poll, watcher);
    });
  }

  /** Stops every poll and ends every subscription (server shutdown). */
  close(): void {
    for (const [key, poll] of this.polls) {
      for (const watcher of poll.watchers) watcher.stop();
      this.stopPoll(key, poll);
    }
  }

  private join(key: string, watcher: Watcher): Poll {
    let poll = this.polls.get(key);
    if (poll === undefined) {
      const created: Poll = { watchers: new Set(), last: undefined, intervalMs: this.config.pollIntervalMs, timer: undefined, polling: false, round: 0, seat: undefined };
      poll = created;
      this.polls.set(key, created);
      created.watchers.add(watcher);
      created.seat = this.election.join(key, {
        polling: (on) => this.setPolling(key, created, on),
        observed: (observation) => {
          if (this.isActive(key, created)) this.deliver(key, created, observation);
        },
      });
    } else {
      poll.watchers.add(watcher);
      // A late watcher gets the state the others last saw at once, not after the next poll.
      if (poll.last !== undefined) watcher.push(poll.last);
    }
    return poll;
  }

  private leave(key: string, poll: Poll, watcher: Watcher): void {
    poll.watchers.delete(watcher);
    if (poll.watchers.size === 0) this.stopPoll(key, poll);
  }

  private stopPoll(key: string, poll: Poll): void {
    clearTimeout(poll.timer);
    poll.timer = undefined;
    poll.polling = false;
    poll.round++;
    poll.watchers.clear();
    if (this.polls.get(key) === poll) this.polls.delete(key);
    poll.seat?.leave();
    poll.seat = undefined;
  }

  private setPolling(key: string, poll: Poll, on: boolean): void {
    if (!this.isActive(key, poll) || poll.polling === on) return;
    poll.polling = on;
    poll.round++;
    clearTimeout(poll.timer);
    poll.timer = undefined;
    if (on) void this.tick(key, poll, poll.round);
  }

  private async tick(key: string, poll: Poll, round: number): Promise<void> {
    let observation: Observation;
    try {
      // A span per poll, its own trace (it serves every watcher); the AWS call's span is its child.
      const snapshot = await inRootSpan('snapshot-status.poll', async (span) => {
        span.setAttribute('gateway.snapshot.watchers', poll.watchers.size);
        const found = await this.describe(key);
        span.setAttribute('gateway.snapshot.status', found?.Status ?? 'gone');
        return found;
      });
      if (!this.isCurrent(key, poll, round)) return;
      observation = snapshot === null ? { kind: 'gone' } : { kind: 'snapshot', snapshot };
    } catch (error) {
      if (!this.isCurrent(key, poll, round)) return;
      if (error instanceof GatewayError && TRANSIENT_CODES.has(error.code)) {
        this.logger.warn({ snapshot: key, code: error.code }, 'status poll failed; backing off');
        poll.intervalMs = Math.min(this.config.maxPollIntervalMs, poll.intervalMs * 2);
        poll.timer = setTimeout(() => void this.tick(key, poll, round), poll.intervalMs);
        return;
      }
      observation = { kind: 'failed', error: error instanceof GatewayError ? error : new GatewayError(GatewayErrorCode.INTERNAL_SERVER_ERROR) };
    }
    // Published before this process's watchers end: the others hear of a final status before the
    // poll is given up.
    poll.seat?.publish(observation);
    if (this.deliver(key, poll, observation)) return;
    poll.timer = setTimeout(() => void this.tick(key, poll, round), poll.intervalMs);
  }

  /**
   * Hands what a poll found (here or on another replica) to this process's watchers: each status
   * change once, then the end. Returns whether the watch ended.
   */
  private deliver(key: string, poll: Poll, observation: Observation): boolean {
    if (observation.kind === 'gone') {
      // Never seen: the name is wrong. Seen before: it was deleted, and the story is over.
      this.end(key, poll, poll.last === undefined ? noSuchSnapshot(key) : undefined);
      return true;
    }
    if (observation.kind === 'failed') {
      this.end(key, poll, observation.error);
      return true;
    }
    const { snapshot } = observation;
    const changed = poll.last?.Status !== snapshot.Status;
    poll.last = snapshot;
    if (changed) {
      for (const watcher of poll.watchers) watcher.push(snapshot);
      poll.intervalMs = this.config.pollIntervalMs;
    } else {
      poll.intervalMs = Math.min(this.config.maxPollIntervalMs, poll.intervalMs * BACKOFF_FACTOR);
    }
    if (isFinalStatus(snapshot.Status)) {
      this.end(key, poll);
      return true;
    }
    return false;
  }

  private isActive(key: string, poll: Poll): boolean {
    return this.polls.get(key) === poll && poll.watchers.size > 0;
  }

  /** Still this poll's round: active, polling here, and not stopped and restarted since. */
  private isCurrent(key: string, poll: Poll, round: number): boolean {
    return this.isActive(key, poll) && poll.polling && poll.round === round;
  }

  private end(key: string, poll: Poll, error?: Error): void {
    const watchers = [...poll.watchers];
    this.stopPoll(key, poll);
    for (const watcher of watchers) watcher.stop(error);
  }
}
