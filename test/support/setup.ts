// aws-local-stepfunctions 3 needs Promise.withResolvers (Node 22); CI runs Node 20.
import '../../infra/local/polyfills.js';
