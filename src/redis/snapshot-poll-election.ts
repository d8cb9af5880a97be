/**
 * One poller per watched snapshot across the replicas. Each replica with watchers of a snapshot
 * takes part: it subscribes to the snapshot's channel and tries to take the snapshot's lease
 * (`SET NX PX`). The holder polls AWS, renews the lease every third of its time (a compare-and-renew
 * script: only the holder's token renews it), and publishes each result on the channel, keeping
 * the latest under a key so a replica whose first watcher arrives later starts from it. The others
 * fan out what they receive, and try for the lease again the moment it would expire, so when the
 * holder dies one of them polls within the lease time. A replica whose last watcher leaves stops
 * listening and gives the lease up (and tells the others, who take it at once).
 *
 * Redis unreachable: each replica with watchers polls for its own (as in one process), and goes
 * back to the shared poll when Redis answers again.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SubscriptionConfig } from '../config';
import { GatewayError, type GatewayErrorCode } from '../errors';
import type { Logger } from '../logger';
import type { Observation, PollElection, PollEvents, PollSeat } from '../snapshots/poll-election';
import type { RedisConnections } from './client';
import { decodeJson, encodeJson } from './json';

// KEYS: lease. ARGV: token, lease ms. -1: taken (or renewed, when held); else the lease's time left.
const TAKE_LEASE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return -1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return -1
end
return redis.call('PTTL', KEYS[1])
`;

// KEYS: lease, latest state. ARGV: token, message, channel, latest's ttl ms. 0: not the holder.
const PUBLISH_STATE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[4])
redis.call('PUBLISH', ARGV[3], ARGV[2])
return 1
`;

// KEYS: lease, latest state. ARGV: token, message, channel.
const GIVE_UP_LEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('PUBLISH', ARGV[3], ARGV[2])
return 1
`;

interface ElectionCommands {
  takePollLease(lease: string, token: string, leaseMs: number): Promise<number>;
  publishPollState(lease: string, latest: string, token: string, message: string, channel: string, ttlMs: number): Promise<number>;
  giveUpPollLease(lease: string, latest: string, token: string, message: string, channel: string): Promise<number>;
}

/** What travels on a snapshot's channel. */
type Message = { from: string; observation: WireObservation } | { from: string; released: true };
type WireObservation =
  | Exclude<Observation, { kind: 'failed' }>
  | { kind: 'failed'; code: GatewayErrorCode; message: string; extensions: Record<string, unknown> };

function toWire(observation: Observation): WireObservation {
  if (observation.kind !== 'failed') return observation;
  const { code: _code, retryable: _retryable, ...extensions } = observation.error.extensions;
  return { kind: 'failed', code: observation.error.code, message: observation.error.message, extensions };
}

function fromWire(observation: WireObservation): Observation {
  if (observation.kind !== 'failed') return observation;
  return { kind: 'failed', error: new GatewayError(observation.code, observation.message, observation.extensions) };
}

/** Try again a little after the lease would expire, so the take never races its expiry. */
const EXPIRY_MARGIN_MS = 20;

export interface PollElectionHooks {
  /** A Redis command of the election failed (the replica polls on its own meanwhile). */
  onFailure(): void;
}

export class RedisPollElection implements PollElection {
  private readonly redis: Redis & ElectionCommands;
  private readonly logger: Logger;

  constructor(
    private readonly connections: RedisConnections,
    private readonly config: Pick<SubscriptionConfig, 'pollLeaseMs' | 'maxPollIntervalMs'>,
    logger: Logger,
    private readonly hooks: PollElectionHooks,
  ) {
    connections.commands.defineCommand('takePollLease', { numberOfKeys: 1, lua: TAKE_LEASE });
    connections.commands.defineCommand('publishPollState', { numberOfKeys: 2, lua: PUBLISH_STATE });
    connections.commands.defineCommand('giveUpPollLease', { numberOfKeys: 2, lua: GIVE_UP_LEASE });
    this.redis = connections.commands as Redis & ElectionCommands;
    this.logger = logger.child({ component: 'snapshot-status' });
  }

  join(name: string, events: PollEvents): PollSeat {
    const seat = new Seat(name, this.connections, this.redis, this.config, this.logger, this.hooks, events);
    seat.start();
    return seat;
  }
}

class Seat implements PollSeat {
  private readonly token = randomUUID();
  private readonly lease: string;
  private readonly latest: string;
  private readonly channel: string;
  private holding = false;
  /** Redis could not be reached at the last attempt: this replica polls on its own. */
  private alone = false;
  private left = false;
  private timer: NodeJS.Timeout | undefined;
  /** A round is running; `again`: another was asked for meanwhile, run it right after. */
  private electing = false;
  private again = false;
  private readonly onMessage = (text: string) => this.received(text);

  constructor(
    private readonly name: string,
    private readonly connections: RedisConnections,
    private readonly redis: Redis & ElectionCommands,
    private readonly config: Pick<SubscriptionConfig, 'pollLeaseMs' | 'maxPollIntervalMs'>,
    private readonly logger: Logger,
    private readonly hooks: PollElectionHooks,
    private readonly events: PollEvents,
  ) {
    const base = connections.key(`poll:{${name}}`);
    this.lease = `${base}:lease`;
    this.latest = `${base}:latest`;
    this.channel = `${base}:states`;
  }

  start(): void {
    void this.elect(true);
  }

  publish(observation: Observation): void {
    if (!this.holding || this.left) return;
    const message = encodeJson({ from: this.token, observation: toWire(observation) } satisfies Message);
    // The latest state outlives the longest poll interval, so a replica joining between two polls finds it.
    const ttlMs = 2 * this.config.maxPollIntervalMs + this.config.pollLeaseMs;
    this.redis.publishPollState(this.lease, this.latest, this.token, message, this.channel, ttlMs).then(
      (stillHolding) => {
        if (stillHolding === 0 && !this.left) this.lostLease();
      },
      () => this.failed(),
    );
  }

  leave(): void {
    if (this.left) return;
    this.left = true;
    clearTimeout(this.timer);
    this.connections.channels.unlisten(this.channel, this.onMessage);
    if (!this.holding) return;
    this.holding = false;
    const message = encodeJson({ from: this.token, released: true } satisfies Message);
    this.redis.giveUpPollLease(this.lease, this.latest, this.token, message, this.channel).catch(() => this.hooks.onFailure());
  }

  /**
   * One round: listen, take or renew the lease, and poll or not accordingly; the next round comes
   * when the lease needs renewing, or when the holder's would expire.
   */
  private async elect(first: boolean): Promise<void> {
    if (this.left) return;
    if (this.electing) {
      this.again = true;
      return;
    }
    this.electing = true;
    clearTimeout(this.timer);
    try {
      await this.round(first);
    } finally {
      this.electing = false;
    }
  }

  private async round(first: boolean): Promise<void> {
    let nextMs = Math.floor(this.config.pollLeaseMs / 3);
    try {
      // Subscribing again each round costs one command, and covers a subscription lost to an outage.
      await this.connections.channels.listen(this.channel, this.onMessage);
      const leaseLeftMs = await this.redis.takePollLease(this.lease, this.token, this.config.pollLeaseMs);
      if (this.left) return;
      if (this.alone) this.logger.info({ snapshot: this.name }, 'Redis reachable again: back to one shared poll');
      this.alone = false;
      this.holding = leaseLeftMs < 0;
      if (!this.holding) {
        nextMs = Math.min(nextMs, Math.max(leaseLeftMs, 0) + EXPIRY_MARGIN_MS);
        // A first watcher here starts from what the holder saw last, without an AWS call.
        if (first) {
          const latest = await this.redis.get(this.latest);
          if (latest !== null && !this.left) this.events.observed(fromWire(decodeJson<{ observation: WireObservation }>(latest).observation));
        }
      }
      if (!this.left) this.events.polling(this.holding);
    } catch {
      if (this.left) return;
      this.failed();
    }
    if (this.again) nextMs = 0;
    this.again = false;
    if (!this.left) this.timer = setTimeout(() => void this.elect(false), nextMs);
  }

  private received(text: string): void {
    if (this.left) return;
    const message = decodeJson<Message>(text);
    if (message.from === this.token) return;
    if ('released' in message) {
      // The holder's watchers are gone, not this replica's: take the poll over now.
      void this.elect(false);
      return;
    }
    this.events.observed(fromWire(message.observation));
  }

  private lostLease(): void {
    this.holding = false;
    this.events.polling(false);
  }

  /** Redis did not answer: poll here, so this replica's watchers keep hearing of changes. */
  private failed(): void {
    this.hooks.onFailure();
    this.holding = false;
    if (!this.alone) this.logger.warn({ snapshot: this.name }, 'Redis unreachable: polling this snapshot here until it is back');
    this.alone = true;
    this.events.polling(true);
  }
}
