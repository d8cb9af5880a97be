/** AWS's messages reach clients without ARNs, account ids or IAM principals; the rest is kept. */
import { redactAwsMessage } from '../../src/elasticache/redact';
import { startTestGateway } from '../support/gateway';

const AWS_MESSAGE =
  'User: arn:aws:sts::123456789012:assumed-role/gateway-role/i-0abc is not authorized for arn:aws:elasticache:us-east-1:123456789012:serverlesscache:billing-main (account 123456789012, key AKIAABCDEFGHIJKLMNOP). The KmsKeyId value is invalid.';

it('replaces ARNs, account ids, access key ids and IAM principals, and keeps what was wrong', () => {
  const redacted = redactAwsMessage(AWS_MESSAGE);
  expect(redacted).not.toMatch(/123456789012|arn:|gateway-role|AKIA/);
  expect(redacted).toContain('The KmsKeyId value is invalid.');
  expect(redactAwsMessage('ServerlessCacheSnapshotName must be 1 to 255 characters; got 300.')).toBe(
    'ServerlessCacheSnapshotName must be 1 to 255 characters; got 300.',
  );
  expect(redactAwsMessage('assumed-role/ops/alice made 1234567890123 calls')).toBe('<iam-principal> made 1234567890123 calls');
});

it("sends a documented fault's AWS text to the client redacted, and keeps the original in the log", async () => {
  const gateway = await startTestGateway();
  try {
    await gateway.emulator.inject({ action: 'CreateServerlessCacheSnapshot', code: 'InvalidParameterValue', status: 400, message: AWS_MESSAGE });
    const { body } = await gateway.graphql<{ createServerlessCacheSnapshot: { __typename: string; message: string } }>(
      'mutation { createServerlessCacheSnapshot(input: {serverlessCacheSnapshotName: "redacted", serverlessCacheName: "demo-valkey"}) { __typename ... on Fault { message } } }',
    );
    const fault = body.data!.createServerlessCacheSnapshot;
    expect(fault.__typename).toBe('InvalidParameterValueException');
    expect(fault.message).toContain('The KmsKeyId value is invalid.');
    expect(JSON.stringify(body)).not.toMatch(/123456789012|arn:aws|gateway-role/);
    expect(gateway.logs).toContainEqual(expect.objectContaining({ msg: 'AWS answered with a documented fault', awsMessage: AWS_MESSAGE }));
  } finally {
    await gateway.close();
  }
});
