import '../polyfills.js';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

/** Definitions already found valid, by their JSON text. */
const validated = new Set<string>();

/**
 * Checks a definition with the interpreter's own validator (asl-validator), which throws on invalid
 * ASL. Two quirks handled here: it compiles its JSON schemas on every call (about a second on these
 * machines), so each distinct definition is checked once per process; and it writes
 * `QueryLanguage` into every state of what it checks, so it gets a copy.
 */
export function validateDefinition(name: string, definition: object): void {
  const text = JSON.stringify(definition);
  if (validated.has(text)) return;
  try {
    new StateMachine(JSON.parse(text) as StateMachineDefinition);
  } catch (error) {
    throw new Error(`state machine ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  validated.add(text);
}
