// One Lambda function's execution environment: a worker thread with its own `process.env` (the
// function's environment and the runtime's, nothing else), its bundle loaded once (the init phase),
// then one invocation per message. Plain JavaScript: the bundle is already built, and a worker
// starts in Node.js without a TypeScript loader.
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const OBSERVER = Symbol.for('live-streaming.aws-call-observer');

// Tests move the functions' clock ahead (a wait's bound of 10 minutes, without waiting 10 minutes).
const realNow = Date.now.bind(Date);
let clockOffsetMs = workerData.clockOffsetMs ?? 0;
Date.now = () => realNow() + clockOffsetMs;
// A call's output can hold a stream (GetObject's Body), which no message can carry: it is left out
// then, as are streams in the input (the observer of the calls needs names and keys, not bodies).
const streamless = (value) =>
  JSON.parse(
    JSON.stringify(value ?? null, (_key, v) =>
      v && typeof v === 'object' && typeof v.pipe === 'function' ? '<stream>' : v,
    ),
  );
globalThis[OBSERVER] = (call) => {
  try {
    parentPort.postMessage({ type: 'aws-call', call });
  } catch {
    parentPort.postMessage({
      type: 'aws-call',
      call: { ...call, input: streamless(call.input), output: undefined },
    });
  }
};

const describe = (error) => ({
  name: typeof error?.name === 'string' && error.name ? error.name : 'Error',
  message: typeof error?.message === 'string' ? error.message : String(error),
  stack: typeof error?.stack === 'string' ? error.stack : undefined,
});

let handler;
try {
  ({ handler } = await import(pathToFileURL(workerData.file).href));
  if (typeof handler !== 'function') throw new Error(`${workerData.file} exports no handler function`);
  parentPort.postMessage({ type: 'ready' });
} catch (error) {
  parentPort.postMessage({ type: 'init-error', error: describe(error) });
}

parentPort.on('message', async (message) => {
  if (message.type === 'clock') {
    clockOffsetMs = message.offsetMs;
    return;
  }
  const { id, payload, requestId, deadline } = message;
  const context = {
    awsRequestId: requestId,
    functionName: workerData.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: workerData.arn,
    memoryLimitInMB: String(workerData.memorySize),
    logGroupName: `/aws/lambda/${workerData.name}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await handler(payload, context);
    // Lambda returns the result as JSON: undefined becomes null, dates strings.
    parentPort.postMessage({ type: 'result', id, result: JSON.parse(JSON.stringify(result ?? null)) });
  } catch (error) {
    parentPort.postMessage({ type: 'error', id, error: describe(error) });
  }
});
