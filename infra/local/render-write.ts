/** `npm run render:workflows`: writes the rendered state machine definitions local mode runs. */
import { definitionSourceHash, RENDERED_FILE, renderFresh, writeRendered } from './definitions.js';

writeRendered(RENDERED_FILE, definitionSourceHash(), await renderFresh());
console.log('wrote infra/local/workflows.rendered.json');
