/** What OBS asks for: the server URL and the stream key, split out of an RTMP push URL. */
export interface RtmpTarget {
  server: string;
  key: string;
}

/** `rtmp://host:1935/app/key` → server `rtmp://host:1935/app`, key `key`. */
export function splitRtmpUrl(url: string | null): RtmpTarget | undefined {
  if (!url) return undefined;
  const match = /^(rtmps?:\/\/[^/]+\/.+)\/([^/]+)$/.exec(url);
  if (!match?.[1] || !match[2]) return undefined;
  return { server: match[1], key: match[2] };
}
