/**
 * Starts traces when the OTEL_* variables ask for them (README "Traces"). The first import of
 * src/main.ts: instrumentations patch `http`, `graphql` and the AWS SDK as they are required, so
 * this module must run before any of them is.
 */
import { tracingEnabled } from '../config';
import { startTracing } from './tracing';

export const tracing = startTracing(tracingEnabled());
