/**
 * Live snapshot status for subscriptions: one poll of AWS per snapshot name, however many clients
 * watch it, fanned out to each of them. AWS offers no push for snapshot status and throttles
 * control-plane calls per account, so the poll is shared, backs off while nothing changes, stops
 * when the last watcher leaves, and rides out throttling instead of ending subscriptions.
 *
 * A poll lives in this process only; gateway replicas each poll for their own watchers.
 */
import type { ServerlessCacheSnapshot } from '@aws-sdk/client-elasticache';
import { Repeater } from '@repeaterjs/repeater';
import type { SubscriptionConfig } from '../config';
import { GatewayError, GatewayErrorCode } from '../errors';
import type { Logger } from '../logger';
import { inRootSpan } from '../observability/tracing';

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
}

export class SnapshotStatusWatcher {
  private readonly polls = new Map<string, Poll>();
  private readonly logger: Logger;

  constructor(
    private readonly describe: Describe,
    private readonly config: SubscriptionConfig,
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'snapshot-status' });
  }

  /** Snapshot names polled right now (one poll each, whatever the number of watchers). */
  get activePolls(): number {
    return this.polls.size;
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
      poll = { watchers: new Set(), last: undefined, intervalMs: this.config.pollIntervalMs, timer: undefined };
      this.polls.set(key, poll);
      poll.watchers.add(watcher);
      void this.tick(key, poll);
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
    poll.watchers.clear();
    if (this.polls.get(key) === poll) this.polls.delete(key);
  }

  private async tick(key: string, poll: Poll): Promise<void> {
    try {
      // A span per poll, its own trace (it serves every watcher); the AWS call's span is its child.
      const snapshot = await inRootSpan('snapshot-status.poll', async (span) => {
        span.setAttribute('gateway.snapshot.watchers', poll.watchers.size);
        const found = await this.describe(key);
        span.setAttribute('gateway.snapshot.status', found?.Status ?? 'gone');
        return found;
      });
      if (!this.isActive(key, poll)) return;
      if (snapshot === null) {
        // Never seen: the name is wrong. Seen before: it was deleted, and the story is over.
        const error = poll.last === undefined ? noSuchSnapshot(key) : undefined;
        this.end(key, poll, error);
        return;
      }
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
        return;
      }
    } catch (error) {
      if (!this.isActive(key, poll)) return;
      if (error instanceof GatewayError && TRANSIENT_CODES.has(error.code)) {
        this.logger.warn({ snapshot: key, code: error.code }, 'status poll failed; backing off');
        poll.intervalMs = Math.min(this.config.maxPollIntervalMs, poll.intervalMs * 2);
      } else {
        this.end(key, poll, error instanceof GatewayError ? error : new GatewayError(GatewayErrorCode.INTERNAL_SERVER_ERROR));
        return;
      }
    }
    poll.timer = setTimeout(() => void this.tick(key, poll), poll.intervalMs);
  }

  private isActive(key: string, poll: Poll): boolean {
    return this.polls.get(key) === poll && poll.watchers.size > 0;
  }

  private end(key: string, poll: Poll, error?: Error): void {
    const watchers = [...poll.watchers];
    this.stopPoll(key, poll);
    for (const watcher of watchers) watcher.stop(error);
  }
}
