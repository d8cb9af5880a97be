/**
 * Jest runs each test file in its own VM realm, so errors that Node's core creates (a refused
 * connection, a reset socket) are not `instanceof Error` inside the tests. The AWS SDK checks
 * exactly that before reading `error.code`, and would see a refused connection as an unknown
 * error. Sharing the error constructors of Node's realm makes the SDK behave as in production.
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = ['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError'];

class SingleRealmErrorsEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

// Tests run on Node 20 on purpose; the SDK's once-per-process notice about Node 22 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

module.exports = SingleRealmErrorsEnvironment;
