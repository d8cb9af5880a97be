/**
 * The schema is the contract: these specify what front ends rely on and what must stay in step
 * with the AWS service model.
 */
import { isInputObjectType, isInterfaceType, isObjectType, isUnionType, type GraphQLNamedType } from 'graphql';
import serviceModel from '../src/aws/service-model.json';
import { COPY_SERVERLESS_CACHE_SNAPSHOT_FAULTS } from '../src/operations/copy-serverless-cache-snapshot';
import { CREATE_SERVERLESS_CACHE_FAULTS } from '../src/operations/create-serverless-cache';
import { CREATE_SERVERLESS_CACHE_SNAPSHOT_FAULTS } from '../src/operations/create-serverless-cache-snapshot';
import { DELETE_SERVERLESS_CACHE_SNAPSHOT_FAULTS } from '../src/operations/delete-serverless-cache-snapshot';
import { EXPORT_SERVERLESS_CACHE_SNAPSHOT_FAULTS } from '../src/operations/export-serverless-cache-snapshot';
import { ADD_TAGS_TO_RESOURCE_FAULTS, REMOVE_TAGS_FROM_RESOURCE_FAULTS } from '../src/operations/tagging';
import { buildSchema } from '../src/schema';

const schema = buildSchema();

/**
 * Each mutation's AWS operation, and the fault list its gateway file declares. A new mutation
 * without a row here fails the first test below.
 */
const MUTATIONS: Record<
  string,
  {
    operation: keyof typeof serviceModel.operations;
    faults: readonly string[];
    /** Members for the gateway's own checks of rules AWS documents in prose but not in the model's fault list. */
    gatewayChecks?: string[];
  }
> = {
  createServerlessCacheSnapshot: { operation: 'CreateServerlessCacheSnapshot', faults: CREATE_SERVERLESS_CACHE_SNAPSHOT_FAULTS },
  copyServerlessCacheSnapshot: { operation: 'CopyServerlessCacheSnapshot', faults: COPY_SERVERLESS_CACHE_SNAPSHOT_FAULTS },
  deleteServerlessCacheSnapshot: { operation: 'DeleteServerlessCacheSnapshot', faults: DELETE_SERVERLESS_CACHE_SNAPSHOT_FAULTS },
  exportServerlessCacheSnapshot: { operation: 'ExportServerlessCacheSnapshot', faults: EXPORT_SERVERLESS_CACHE_SNAPSHOT_FAULTS },
  // The tag rules (key length, `aws:` keys) are checked by the gateway, which needs a member to say so.
  tagServerlessCacheSnapshot: { operation: 'AddTagsToResource', faults: ADD_TAGS_TO_RESOURCE_FAULTS, gatewayChecks: ['InvalidParameterValueException'] },
  untagServerlessCacheSnapshot: { operation: 'RemoveTagsFromResource', faults: REMOVE_TAGS_FROM_RESOURCE_FAULTS, gatewayChecks: ['InvalidParameterValueException'] },
  restoreServerlessCacheFromSnapshot: { operation: 'CreateServerlessCache', faults: CREATE_SERVERLESS_CACHE_FAULTS },
};

describe('mutation results', () => {
  const mutation = schema.getMutationType();

  it('every mutation is known here, with its AWS operation', () => {
    expect(Object.keys(mutation?.getFields() ?? {}).sort()).toEqual(Object.keys(MUTATIONS).sort());
  });

  describe.each(Object.entries(MUTATIONS))('%s', (field, { operation, faults, gatewayChecks = [] }) => {
    const resultType = mutation?.getFields()[field]?.type;
    const union = resultType !== undefined && isUnionType(resultType) ? resultType : undefined;
    const success = `${field[0]!.toUpperCase()}${field.slice(1)}Success`;

    it(`returns ${success} or one member per fault the AWS service model documents for ${operation}`, () => {
      if (union === undefined) throw new Error(`${field} does not return a (nullable) union`);
      expect(union.name).toBe(`${success.slice(0, -'Success'.length)}Result`);
      const members = union.getTypes().map((t) => t.name).sort();
      expect(members).toEqual([success, ...serviceModel.operations[operation].errors, ...gatewayChecks].sort());
    });

    it("has a gateway file whose fault list is the model's, in the model's order", () => {
      expect([...faults]).toEqual(serviceModel.operations[operation].errors);
    });

    it('has members that all implement Fault, except the success', () => {
      const notFaults = union?.getTypes().filter((t) => !t.getInterfaces().some((i) => i.name === 'Fault'));
      expect(notFaults?.map((t) => t.name)).toEqual([success]);
    });
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
