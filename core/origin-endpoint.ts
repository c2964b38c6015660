/** The MediaPackage HLS origin endpoint settings, shared by create and update. */
import type { HlsPackage } from '@aws-sdk/client-mediapackage';
import type { StreamRecord } from './stream.js';

/** MediaLive sends 6 s segments (core/encoder-profile.ts); MediaPackage repackages at the same length. */
export const HLS_SEGMENT_SECONDS = 6;
/** Live playlist window; startover (rewind) is separate, up to `startover_window_seconds`. */
export const HLS_PLAYLIST_WINDOW_SECONDS = 60;

export const originEndpointId = (streamId: string) => `live-${streamId}-hls`;

export function hlsPackage(
  record: StreamRecord,
  speke: { url: string; roleArn: string; systemIds: string[] } | undefined,
): HlsPackage {
  return {
    SegmentDurationSeconds: HLS_SEGMENT_SECONDS,
    PlaylistWindowSeconds: HLS_PLAYLIST_WINDOW_SECONDS,
    // No PlaylistType: the live playlist is a sliding window, which must not be marked
    // EXT-X-PLAYLIST-TYPE:EVENT (RFC 8216, section 4.3.3.5: EVENT playlists only grow).
    // Program date-times let players (and the console's clip marks) map playback to wall time.
    ProgramDateTimeIntervalSeconds: HLS_SEGMENT_SECONDS,
    ...(speke && record.key_rotation_interval !== null
      ? {
          Encryption: {
            EncryptionMethod: 'AES_128',
            KeyRotationIntervalSeconds: record.key_rotation_interval,
            SpekeKeyProvider: {
              ResourceId: record.id,
              RoleArn: speke.roleArn,
              SystemIds: speke.systemIds,
              Url: speke.url,
            },
          },
        }
      : {}),
  };
}
