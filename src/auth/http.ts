/**
 * Authentication at the HTTP door: an `onRequest` hook on the GraphQL route that establishes the
 * principal before the body is even read, so a caller without a valid credential gets HTTP 401 and
 * one `UNAUTHENTICATED` error before any body parsing, resolver, introspection or landing page. (CORS
 * preflights, which carry no credentials by design, are answered by @fastify/cors's own route.)
 */
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ClientAddress } from '../client-address';
import { defaultMessage, GatewayErrorCode } from '../errors';
import type { Logger } from '../logger';
import { AuthenticationError, type AuthenticationFailure, type Authenticator } from './authenticator';
import { credentialsFromRawHeaders } from './credentials';
import type { Principal } from './principal';
import { currentTraceId } from '../observability/tracing';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every request that reaches the GraphQL handler. */
    principal: Principal | null;
  }
}

/** What the client is told: no reason beyond what it can act on. */
export const AUTHENTICATION_MESSAGES: Record<AuthenticationFailure, string> = {
  missing: 'Authentication required: send a bearer token (`Authorization: Bearer <token>`) or an API key (`x-api-key`).',
  invalid: 'The credentials presented are not valid. Present one valid bearer token or one API key.',
  expired: 'The token has expired. Get a new one and retry.',
  unavailable: defaultMessage(GatewayErrorCode.AUTHENTICATION_UNAVAILABLE),
};

/** Seconds a client should wait before retrying when the issuer could not be reached. */
const RETRY_AFTER_SECONDS = 5;

export function authenticationHook(
  authenticator: Authenticator,
  logger: Logger,
  clientAddress: ClientAddress,
  /** Told of each refusal, for the metrics. */
  refused: (failure: string) => void = () => undefined,
): onRequestAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      request.principal = await authenticator.authenticate(credentialsFromRawHeaders(request.raw.rawHeaders), clientAddress(request.raw));
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      const traceId = currentTraceId();
      logger[error.logLevel](
        { requestId: request.id, ...(traceId === undefined ? {} : { traceId }), failure: error.failure, reason: error.reason, clientAddress: clientAddress(request.raw) },
        'authentication refused',
      );
      refused(error.failure);
      const unavailable = error.failure === 'unavailable';
      const code = unavailable ? GatewayErrorCode.AUTHENTICATION_UNAVAILABLE : GatewayErrorCode.UNAUTHENTICATED;
      void reply.code(unavailable ? 503 : 401);
      void reply.header(unavailable ? 'retry-after' : 'www-authenticate', unavailable ? String(RETRY_AFTER_SECONDS) : 'Bearer');
      void reply.type('application/json; charset=utf-8');
      const message = error.clientMessage ?? AUTHENTICATION_MESSAGES[error.failure];
      return reply.send(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
    }
  };
}
