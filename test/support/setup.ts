import { inject } from 'vitest';
// aws-local-stepfunctions 3 needs Promise.withResolvers (Node 22); CI runs Node 20.
import '../../infra/local/polyfills.js';

// Where this test process records the AWS calls of the app's functions (test/support/aws-call-log.ts).
process.env.AWS_CALL_LOG_DIR = inject('awsCallLogDir');
