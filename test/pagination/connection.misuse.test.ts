import { encodeCursor, readConnection } from '../../src/pagination/connection';

const never = () => Promise.reject(new Error('must not be called'));

describe('readConnection refuses, before any upstream call', () => {
  it.each([0, -1, 51, 2.5])('first: %p', async (first) => {
    await expect(readConnection('l', { first }, never)).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'first' },
      message: expect.stringContaining(String(first)),
    });
  });

  it.each(['garbage', '', Buffer.from('{"v":2}').toString('base64url'), Buffer.from('{"v":1,"l":"l","t":5,"s":0}').toString('base64url')])(
    'a cursor it did not issue: %p',
    async (after) => {
      await expect(readConnection('l', { after }, never)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' } });
    },
  );

  it('a cursor issued for another list', async () => {
    await expect(readConnection('mine', { after: encodeCursor('theirs', { token: 't', skip: 0 }) }, never)).rejects.toMatchObject({
      message: expect.stringContaining('another list'),
    });
  });
});
