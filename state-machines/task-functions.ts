/** The task Lambdas a machine's states invoke, by their name in the function registry. */
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { TaskName } from '../infra/functions.js';

export type TaskFunctions = Readonly<Record<TaskName, IFunction>>;
