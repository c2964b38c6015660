/**
 * HLS playback with hls.js (bundled, loaded on the first stream page): live streams, which may not
 * exist yet when the player opens (the encoder writes its first segment seconds after the push
 * starts), and clips.
 */
import type Hls from 'hls.js';
import type { ErrorData } from 'hls.js';

export interface PlaybackStatus {
  state: 'loading' | 'playing' | 'buffering' | 'error' | 'ended';
  message: string;
}

export interface PlaybackOptions {
  /** Sent as `Authorization` with every playlist and segment request. */
  authorization?: string;
  onStatus: (status: PlaybackStatus) => void;
  /** Reload after a fatal error (live: the playlist is not there yet); off for clips. */
  retryMs?: number;
}

export interface Playback {
  readonly url: string;
  /** Wall-clock time of the frame on screen, from EXT-X-PROGRAM-DATE-TIME; null without it. */
  playingDate(): Date | null;
  destroy(): void;
}

type HlsModule = typeof import('hls.js');
let loading: Promise<HlsModule> | undefined;

/** Media errors hls.js can recover from in place before a reload is the better move. */
const MAX_MEDIA_RECOVERIES = 2;

export async function playHls(
  video: HTMLVideoElement,
  url: string,
  options: PlaybackOptions,
): Promise<Playback> {
  loading ??= import('hls.js');
  const { default: HlsClass } = await loading;
  let hls: Hls | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let destroyed = false;
  let recoveries = 0;

  const onPlaying = () => options.onStatus({ state: 'playing', message: 'Playing' });
  const onWaiting = () => options.onStatus({ state: 'buffering', message: 'Buffering…' });
  const onEnded = () => options.onStatus({ state: 'ended', message: 'Ended' });
  video.addEventListener('playing', onPlaying);
  video.addEventListener('waiting', onWaiting);
  video.addEventListener('ended', onEnded);

  const start = () => {
    if (destroyed) return;
    hls?.destroy();
    hls = undefined;
    if (!HlsClass.isSupported()) {
      options.onStatus({
        state: 'error',
        message: 'This browser cannot play HLS with Media Source Extensions.',
      });
      return;
    }
    const authorization = options.authorization;
    const instance = new HlsClass({
      ...(authorization
        ? { xhrSetup: (xhr: XMLHttpRequest) => xhr.setRequestHeader('Authorization', authorization) }
        : {}),
    });
    hls = instance;
    options.onStatus({ state: 'loading', message: 'Loading…' });
    instance.on(HlsClass.Events.MANIFEST_PARSED, () => {
      // Muted, so browsers let it start without a click.
      video.play().catch(() => undefined);
    });
    instance.on(HlsClass.Events.ERROR, (_event, data: ErrorData) => {
      if (!data.fatal) return;
      if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR && recoveries < MAX_MEDIA_RECOVERIES) {
        recoveries += 1;
        instance.recoverMediaError();
        return;
      }
      const reason = describeHlsError(data);
      if (options.retryMs) {
        options.onStatus({
          state: 'error',
          message: `${reason}; trying again in ${Math.round(options.retryMs / 1000)} s…`,
        });
        retry = setTimeout(() => {
          recoveries = 0;
          start();
        }, options.retryMs);
      } else {
        options.onStatus({ state: 'error', message: reason });
        instance.destroy();
      }
    });
    instance.loadSource(url);
    instance.attachMedia(video);
  };
  start();

  return {
    url,
    playingDate: () => hls?.playingDate ?? null,
    destroy: () => {
      destroyed = true;
      clearTimeout(retry);
      hls?.destroy();
      hls = undefined;
      video.removeEventListener('playing', onPlaying);
      video.removeEventListener('waiting', onWaiting);
      video.removeEventListener('ended', onEnded);
      video.removeAttribute('src');
      video.load();
    },
  };
}

function describeHlsError(data: ErrorData): string {
  const status = data.response?.code;
  if (data.details === 'manifestLoadError' || data.details === 'manifestLoadTimeOut') {
    return status ? `The playlist is not available (HTTP ${status})` : 'The playlist is not available';
  }
  if (data.details === 'levelEmptyError' || data.details === 'manifestParsingError') {
    return 'The stream has no media yet';
  }
  return `Playback failed (${data.details})`;
}
