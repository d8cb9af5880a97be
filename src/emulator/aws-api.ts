/**
 * The AWS endpoint: `POST /` (and `GET /?…`, which the Query protocol allows) speaking awsQuery.
 *
 * Order of work for a request: decode the parameters; require `Action` and count the call; check
 * `Version` and that the Action is implemented; apply a pending fault injection; run the operation.
 * Malformed requests are therefore counted but never consume an injection. An `afterOperation`
 * injection is taken at the same point but applied once the operation has run (and persisted), so
 * its state change is kept while the client gets a dropped connection or an error instead.
 *
 * SigV4 signatures are not verified (the emulator has no secret to check them against) and
 * nothing depends on header or parameter order.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { EmulatorConfig } from '../config';
import type { Logger } from '../logger';
import { API_VERSION, AwsError, internalFailure, invalidAction, invalidParameterValue, isModeledOperation, missingAction, missingParameter } from './faults';
import { FormError, FormParams } from './form';
import { charset, mediaType, send } from './http';
import type { CallCounter, FaultInjection, FaultInjector } from './injections';
import { IMPLEMENTED_ACTIONS, OPERATIONS, type Operation } from './operations';
import type { EmulatorStore } from './store';
import { errorDocument, isXmlSafe, successDocument, type XmlObject } from './xml';

export interface AwsApiDeps {
  config: EmulatorConfig;
  store: EmulatorStore;
  injector: FaultInjector;
  calls: CallCounter;
  persist: () => Promise<void>;
  /** Applies the transitions due at `nowMs` (see `EmulatorStore.advance`) and persists them. */
  settle: (nowMs: number) => Promise<void>;
  clock: () => number;
  logger: Logger;
  /** Aborted when the emulator closes, cutting injected delays short. */
  shutdown: AbortSignal;
}

export interface AwsRequest {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  url: URL;
  body: Buffer;
}

const FORM = 'application/x-www-form-urlencoded';
// An Action we would count: long or odd strings are answered but not kept, so counts stay bounded.
const COUNTABLE_ACTION = /^[A-Za-z][A-Za-z0-9]{0,127}$/;

export function sendAwsError(res: ServerResponse, error: AwsError, requestId: string, headers: Record<string, string> = {}): void {
  send(res, error.httpStatus, 'text/xml', errorDocument(error, requestId), { 'x-amzn-RequestId': requestId, ...headers });
}

function injectedError(fault: NonNullable<FaultInjection['fault']>): AwsError {
  return new AwsError(fault.code, fault.status, fault.message, fault.type, fault.retryAfterSeconds);
}

export class AwsApi {
  constructor(private readonly deps: AwsApiDeps) {}

  async handle({ req, res, requestId, url, body }: AwsRequest): Promise<void> {
    const started = this.deps.clock();
    let action: string | undefined;
    try {
      const params = this.decode(req, url, body);
      action = params.get('Action');
      if (action === undefined || action === '') throw missingAction();
      if (COUNTABLE_ACTION.test(action)) this.deps.calls.record(action);
      const version = params.get('Version');
      if (version === undefined) throw missingParameter('Version');
      if (version !== API_VERSION) {
        throw invalidParameterValue(`The parameter Version must be ${API_VERSION}, the only API version this endpoint serves.`);
      }
      const operation = OPERATIONS.get(action);
      if (operation === undefined) {
        throw invalidAction(
          isModeledOperation(action)
            ? `The action ${action} is not implemented by the ElastiCache emulator; it implements ${IMPLEMENTED_ACTIONS.join(', ')}.`
            : `The action ${action} is not valid for this web service.`,
        );
      }

      const injection = this.deps.injector.take(action);
      if (injection !== undefined) {
        this.deps.logger.debug({ requestId, action, injection: injection.id, afterOperation: injection.afterOperation }, 'applying injected fault');
      }
      if (injection !== undefined && !injection.afterOperation && (await this.inject(injection, req))) return;

      const run = this.run(operation, params);
      if (injection?.afterOperation === true) {
        // The lost answer replaces whatever the operation answered, its own faults included: the
        // client learns nothing either way, which is the point of the injection.
        try {
          await run;
        } catch (err) {
          if (err instanceof AwsError) this.deps.logger.debug({ requestId, action, code: err.code }, 'answer lost by injection');
          else this.deps.logger.error({ err, requestId, action }, 'aws request failed unexpectedly; its answer is lost by injection');
        }
        if (await this.inject(injection, req)) return;
      }

      send(res, 200, 'text/xml', successDocument(action, await run, requestId), { 'x-amzn-RequestId': requestId });
      this.deps.logger.debug({ requestId, action, status: 200, ms: this.deps.clock() - started }, 'aws request');
    } catch (err) {
      if (err instanceof Error && err.name === 'AbortError') {
        // An injected delay cut short by shutdown: the emulator is going away, so is the connection.
        req.socket.destroy();
        return;
      }
      const error = err instanceof AwsError ? err : internalFailure();
      if (!(err instanceof AwsError)) this.deps.logger.error({ err, requestId, action }, 'aws request failed unexpectedly');
      sendAwsError(res, error, requestId, error.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(error.retryAfterSeconds) });
      this.deps.logger.debug({ requestId, action, status: error.httpStatus, code: error.code, ms: this.deps.clock() - started }, 'aws request');
    }
  }

  /**
   * Waits the injected delay, then drops the connection (true) or throws the injected fault; false
   * when the injection is a delay only and the request goes on.
   */
  private async inject(injection: FaultInjection, req: IncomingMessage): Promise<boolean> {
    if (injection.delayMs > 0) await delay(injection.delayMs, undefined, { signal: this.deps.shutdown });
    if (injection.dropConnection) {
      // Nothing has been written at this point, so the client receives no bytes at all, as when a
      // connection dies in transit.
      req.socket.destroy();
      return true;
    }
    if (injection.fault !== undefined) throw injectedError(injection.fault);
    return false;
  }

  // Async so that an operation throwing synchronously rejects like one that fails after an await.
  private async run(operation: Operation, params: FormParams): Promise<XmlObject> {
    const { config } = this.deps;
    const nowMs = this.deps.clock();
    // Every operation sees the state as of its own instant: transitions that ended are applied first.
    await this.deps.settle(nowMs);
    return operation(params, {
      store: this.deps.store,
      region: config.region,
      snapshotAvailableAfterMs: config.snapshotAvailableAfterMs,
      snapshotDeleteAfterMs: config.snapshotDeleteAfterMs,
      snapshotExportAfterMs: config.snapshotExportAfterMs,
      cacheAvailableAfterMs: config.cacheAvailableAfterMs,
      dailySnapshotQuotaPerCache: config.dailySnapshotQuotaPerCache,
      serverlessCacheQuota: config.serverlessCacheQuota,
      nowMs,
      persist: this.deps.persist,
    });
  }

  /** Parameters from the query string and, for POST, the form body. Throws `AwsError`s. */
  private decode(req: IncomingMessage, url: URL, body: Buffer): FormParams {
    const sources = [url.search.slice(1)];
    if (req.method === 'POST' && body.length > 0) {
      const type = req.headers['content-type'];
      if (mediaType(type) !== FORM) {
        throw new AwsError(
          'UnsupportedMediaType',
          400,
          `The request body must be ${FORM} (the awsQuery protocol); got ${type === undefined ? 'no Content-Type' : `Content-Type ${type}`}.`,
          'Sender',
        );
      }
      const cs = charset(type);
      if (cs !== undefined && cs !== 'utf-8' && cs !== 'utf8') {
        throw new AwsError('UnsupportedMediaType', 400, `The request body must be UTF-8; got charset ${cs}.`, 'Sender');
      }
      sources.push(body.toString('utf8'));
    }
    let params: FormParams;
    try {
      params = FormParams.decode(...sources);
    } catch (err) {
      if (err instanceof FormError) throw invalidParameterValue(err.message);
      throw err;
    }
    // XML 1.0 cannot carry some characters at all; refuse them here, without echoing the value,
    // rather than store something no response could ever return faithfully.
    for (const [name, value] of params.entries()) {
      if (!isXmlSafe(name)) throw invalidParameterValue('A parameter name contains characters that are not allowed.');
      if (!isXmlSafe(value)) throw invalidParameterValue(`The parameter ${name} contains characters that are not allowed.`);
    }
    return params;
  }
}
