export { EncoderSettingsUnsupported } from './encoder-plan.js';
export {
  createMediaPlane,
  type LocalMediaPlane,
  type MediaPlaneOptions,
  type MediaPlaneUrls,
} from './media-plane.js';
export { LIVE_WINDOW_SECONDS } from './origin-playlists.js';
