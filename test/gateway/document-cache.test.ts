/**
 * A GraphQL document is parsed and validated once, then served from Apollo's document cache: the
 * cost per request is execution only. Clients that send variables (rather than values inlined in
 * the document) send one document, however many requests they make.
 */
import * as parser from 'graphql/language/parser';
import * as validation from 'graphql/validation/validate';
import { startTestGateway, type TestGateway } from '../support/gateway';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => gateway.close());

it('parses and validates each distinct document once, not once per request', async () => {
  const query = 'query DocumentCacheProbe($name: String!) { serverlessCacheSnapshot(name: $name) { arn } }';
  await gateway.graphql(query, { name: 'first' });
  const parse = jest.spyOn(parser, 'parse');
  const validate = jest.spyOn(validation, 'validate');
  try {
    for (const name of ['second', 'third', 'fourth']) {
      const { status, body } = await gateway.graphql(query, { name });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    }
    expect(parse.mock.calls.filter(([source]) => source === query)).toHaveLength(0);
    expect(validate).not.toHaveBeenCalled();
    // The spies do see Apollo's work: a document it has not met yet is parsed and validated.
    const fresh = 'query DocumentCacheControl { __typename }';
    await gateway.graphql(fresh);
    expect(parse.mock.calls.filter(([source]) => source === fresh)).toHaveLength(1);
    expect(validate).toHaveBeenCalledTimes(1);
  } finally {
    parse.mockRestore();
    validate.mockRestore();
  }
});
