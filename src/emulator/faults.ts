/**
 * AWS errors the emulator answers with.
 *
 * Wire codes and HTTP statuses of modeled faults come only from the committed service-model extract,
 * so they cannot drift from what the SDK expects. The few protocol-level errors AWS answers before an
 * operation runs (MissingAction, InvalidAction, InternalFailure …) are not in the model; they are
 * defined once here.
 */
import serviceModel from '../aws/service-model.json';

export const API_VERSION = serviceModel.source.apiVersion;
export const XML_NAMESPACE = serviceModel.source.xmlNamespace;

export type FaultShapeName = keyof typeof serviceModel.faults;
export type ErrorType = 'Sender' | 'Receiver';

/** An error the AWS API answers with as an `ErrorResponse` document. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    readonly type: ErrorType,
    /** Seconds the client is asked to wait before trying again (a `Retry-After` header), if any. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

export interface ModeledFault {
  shape: FaultShapeName;
  code: string;
  httpStatus: number;
  type: ErrorType;
  documentation: string;
}

const faultShapes = serviceModel.faults as Record<FaultShapeName, { code: string; httpStatus: number; senderFault: boolean; documentation: string }>;

function describe(shape: FaultShapeName): ModeledFault {
  const f = faultShapes[shape];
  return { shape, code: f.code, httpStatus: f.httpStatus, type: f.senderFault ? 'Sender' : 'Receiver', documentation: f.documentation };
}

/**
 * Finds a modeled fault by shape name (`InvalidParameterValueException`) or by wire code
 * (`InvalidParameterValue`), the two names the SDK itself resolves error classes by.
 */
export function findModeledFault(name: string): ModeledFault | undefined {
  for (const shape of Object.keys(faultShapes) as FaultShapeName[]) {
    if (shape === name || faultShapes[shape].code === name) return describe(shape);
  }
  return undefined;
}

export function modeledFault(shape: FaultShapeName, message: string): AwsError {
  const f = describe(shape);
  return new AwsError(f.code, f.httpStatus, message, f.type);
}

/** Shape names of the faults the model lists for an operation (empty for operations it lacks). */
export function operationFaults(action: string): readonly string[] {
  const ops = serviceModel.operations as Record<string, { errors: string[] } | undefined>;
  return ops[action]?.errors ?? [];
}

/** True when the action is a real ElastiCache operation (implemented here or not). */
export function isModeledOperation(action: string): boolean {
  return (serviceModel.operationNames as readonly string[]).includes(action);
}

export const invalidParameterValue = (message: string): AwsError => modeledFault('InvalidParameterValueException', message);

// Protocol-level errors of AWS Query services (AWS "Common Errors"); none is in the model.
export const missingAction = (): AwsError =>
  new AwsError('MissingAction', 400, 'The request must contain the parameter Action.', 'Sender');
export const missingParameter = (name: string): AwsError =>
  new AwsError('MissingParameter', 400, `The request must contain the parameter ${name}.`, 'Sender');
export const invalidAction = (message: string): AwsError => new AwsError('InvalidAction', 400, message, 'Sender');
export const internalFailure = (): AwsError =>
  new AwsError('InternalFailure', 500, 'The request processing has failed because of an unknown error, exception or failure.', 'Receiver');
