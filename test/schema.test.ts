/**
 * The schema is the contract: these specify what front ends rely on and what must stay in step
 * with the AWS service model.
 */
import { isInputObjectType, isInterfaceType, isObjectType, isUnionType, type GraphQLNamedType } from 'graphql';
import serviceModel from '../src/aws/service-model.json';
import { buildSchema } from '../src/schema';

const schema = buildSchema();

describe('CreateServerlessCacheSnapshotResult', () => {
  const union = schema.getType('CreateServerlessCacheSnapshotResult');

  it('has exactly one member per fault the AWS service model documents for the operation, plus the success', () => {
    if (!isUnionType(union)) throw new Error('CreateServerlessCacheSnapshotResult is not a union');
    const members = union.getTypes().map((t) => t.name).sort();
    const expected = ['CreateServerlessCacheSnapshotSuccess', ...serviceModel.operations.CreateServerlessCacheSnapshot.errors].sort();
    expect(members).toEqual(expected);
  });

  it('has members that all implement Fault, except the success', () => {
    if (!isUnionType(union)) throw new Error('not a union');
    const notFaults = union.getTypes().filter((t) => !t.getInterfaces().some((i) => i.name === 'Fault'));
    expect(notFaults.map((t) => t.name)).toEqual(['CreateServerlessCacheSnapshotSuccess']);
  });
});

describe('the service-model extract', () => {
  it('gives the wire codes that differ from the SDK class names', () => {
    expect(serviceModel.faults.InvalidParameterValueException.code).toBe('InvalidParameterValue');
    expect(serviceModel.faults.InvalidParameterCombinationException.code).toBe('InvalidParameterCombination');
    expect(serviceModel.faults.ServerlessCacheNotFoundFault.httpStatus).toBe(404);
  });
});

describe('descriptions', () => {
  const userTypes = Object.values(schema.getTypeMap()).filter((t: GraphQLNamedType) => !t.name.startsWith('__') && !['String', 'Int', 'Boolean', 'ID', 'Float'].includes(t.name));

  it('describe every type a front-end developer sees in GraphiQL', () => {
    expect(userTypes.filter((t) => !t.description?.trim()).map((t) => t.name)).toEqual([]);
  });

  it('describe every field and argument', () => {
    const missing: string[] = [];
    for (const type of userTypes) {
      if (!isObjectType(type) && !isInterfaceType(type) && !isInputObjectType(type)) continue;
      for (const field of Object.values<{ name: string; description?: string | null | undefined; args?: readonly { name: string; description?: string | null }[] }>(type.getFields())) {
        if (!field.description?.trim()) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args ?? []) {
          if (!arg.description?.trim()) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
