/**
 * `npm run demo`: starts the local stack, creates a stream, starts it, pushes an FFmpeg test pattern
 * with a clock to rtmp1, and prints the URL to play. Ctrl-C stops everything.
 */
import { spawn } from 'node:child_process';
import { startFromEnvironment } from './app.js';
import { findFfmpeg } from './ffmpeg.js';

const { app, settings } = await startFromEnvironment();
const api = async (method: string, route: string, body?: unknown) => {
  const res = await fetch(`${app.apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 400) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};
const waitFor = async (id: string, status: string) => {
  for (let i = 0; i < 240; i++) {
    const stream = await api('GET', `/streams/${id}`);
    if (stream.status === status) return stream;
    if (stream.status === 'FAILED') throw new Error(`stream failed: ${JSON.stringify(stream.error)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`stream ${id} did not become ${status}`);
};

console.log('creating a stream...');
const created = await api('POST', '/streams', {
  name: 'Demo',
  description: 'npm run demo',
  segment_length: 10,
});
const id = String(created.id);
await waitFor(id, 'IDLE');
console.log('starting it...');
await api('POST', `/streams/${id}/start`);
const stream = await waitFor(id, 'RUNNING');
const rtmp1 = String(stream.rtmp1);
const { ffmpeg } = findFfmpeg();
// A 720p30 test pattern with a clock, as an encoder would push it.
const pattern =
  '-hide_banner -loglevel error -re -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440 ' +
  '-c:v libx264 -preset ultrafast -tune zerolatency -g 60 -b:v 3000k -c:a aac -b:a 128k -f flv';
const clock =
  "drawtext=text='%{localtime\\:%X}':fontsize=64:fontcolor=white:box=1:boxcolor=black@0.6:x=40:y=40";
const pusher = spawn(ffmpeg, [...pattern.split(' '), '-vf', clock, rtmp1], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
console.log(`
The demo stream ${id} is live (the first segments take ~15 s).

  Play:   ${stream.viewer_endpoint}
          (VLC, ffplay, Safari, or any hls.js player)
  Console ${app.apiUrl}  (sign in with the API token in ${settings.dataDir}/api-token)
          Push from OBS instead: the stream's OBS settings there give the server and the stream
          key (stop this demo's test pattern first: only one publisher per key)

Ctrl-C stops the pattern and the stack; the stream and its recording stay in ${settings.dataDir}.
`);

const stop = async () => {
  pusher.kill('SIGINT');
  await app.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
pusher.on('exit', (code) => {
  if (code && code !== 255) console.error(`the test pattern stopped (ffmpeg exit ${code})`);
});
