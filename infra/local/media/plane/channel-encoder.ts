/**
 * One running MediaLive channel, locally: from the moment the channel starts, one FFmpeg run
 * encodes the HLS ladder and the archive without a break, as MediaLive does. Its input is the
 * channel's input relay (input-relay.ts): the input-loss slate while no publisher feeds the
 * channel, the publisher once one does, the slate again when it goes. The clock of the HLS
 * segments and of the archive files is the channel's own, so archive file k always covers
 * [k·L, (k+1)·L) of the session, whatever the publishers did.
 *
 * With both inputs of a STANDARD channel connected, the lowest pipeline is encoded; the other
 * takes over if it drops (one FFmpeg per channel: two would not keep real time on 2 cores). An
 * FFmpeg run that fails is restarted (a new run: HLS continues after a discontinuity, the archive
 * counter continues from the channel's clock).
 */

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseMediaPlaylist } from '../../../../core/media-playlist.js';
import type { ArchiveRecorder, ArchiveRun } from './archive-recorder.js';
import { encoderArgs, FFMPEG_PLAYLIST, thumbnailFile } from './encoder-command.js';
import type { EncoderPlan } from './encoder-plan.js';
import { EncoderProcess, type EncoderProgress } from './encoder-process.js';
import type { HlsSegmentIndex } from './hls-segment-index.js';
import { InputRelay } from './input-relay.js';
import { LIVE_WINDOW_SECONDS, renderMasterPlaylist } from './origin-playlists.js';
import type { Publication } from './rtmp-ingest.js';
import { type PusherState, SimulcastPusher } from './simulcast-pusher.js';
import type { Slate } from './slate.js';

export interface ChannelEncoderDeps {
  ffmpeg: string;
  preset: string;
  /** Absolute `<dataDir>/media`: FFmpeg's working directory. */
  mediaDir: string;
  index: HlsSegmentIndex;
  archive: ArchiveRecorder;
  /** The channel's input-loss slate, at its top rendition's size and frame rate. */
  slate: Slate;
  /** Seconds of HLS the package channel's endpoints can rewind (largest startover window). */
  startoverSeconds(): number;
  logger: (line: string) => void;
  /** A simulcast destination's push started (ACTIVE) or failed (FAILING, with the reason). */
  onSimulcast?: (name: string, state: PusherState, message: string) => void;
}

interface Candidate {
  publication: Publication;
  pipeline: number;
}

interface ActiveRun {
  id: string;
  encoder: EncoderProcess;
  relay: InputRelay;
  archive: ArchiveRun;
  poller: NodeJS.Timeout;
  polling: Promise<void>;
  done: Promise<void>;
}

/** A run that fails this fast is a crash loop, not a hiccup: back off, then give up. */
const QUICK_FAILURE_MS = 10_000;
const MAX_QUICK_FAILURES = 3;
const RESTART_DELAY_MS = 1_000;
/** How often FFmpeg's output folders are read for closed segments and files. */
const POLL_MS = 500;

export class ChannelEncoder {
  readonly #plan: EncoderPlan;
  readonly #deps: ChannelEncoderDeps;
  readonly #candidates = new Map<string, Candidate>();
  /** The publication the relay follows (undefined: the slate). */
  #active: Candidate | undefined;
  #run: ActiveRun | undefined;
  /** A run being set up (folders, spawn): no second one may start meanwhile. */
  #starting: Promise<void> | undefined;
  #stopped = false;
  #quickFailures = 0;
  /** After repeated quick failures, no run until a publisher offers itself again. */
  #gaveUp = false;
  #restartTimer: NodeJS.Timeout | undefined;
  readonly #pushers: SimulcastPusher[];

  constructor(plan: EncoderPlan, deps: ChannelEncoderDeps) {
    this.#plan = plan;
    this.#deps = deps;
    this.#pushers = plan.simulcast.map(
      (output) =>
        new SimulcastPusher({
          ffmpeg: deps.ffmpeg,
          name: output.name,
          url: output.url,
          secret: output.secret,
          logger: deps.logger,
          retryMs: output.retrySeconds * 1000,
          onState: (state, message) => deps.onSimulcast?.(output.name, state, message),
        }),
    );
    deps.index.setLadder(
      plan.renditions.map(({ video, audio, ...rendition }) => rendition),
      plan.segmentSeconds,
    );
  }

  get channelId(): string {
    return this.#plan.channelId;
  }

  /** FFmpeg's progress of the current run (its dropped frames count from the run's start). */
  get progress(): EncoderProgress | undefined {
    return this.#run?.encoder.progress;
  }

  /** Where FFmpeg keeps the newest thumbnail (absolute), when the channel asks for thumbnails. */
  get thumbnailPath(): string | undefined {
    return this.#plan.thumbnail ? path.join(this.#deps.mediaDir, thumbnailFile(this.channelId)) : undefined;
  }

  /** Starts encoding (the slate until a publisher comes); resolves once FFmpeg runs. */
  async start(): Promise<void> {
    this.#startRun();
    await this.#starting;
    if (!this.#run) throw new Error(`channel ${this.channelId}: the encoder could not start`);
  }

  /** The publication on one of this channel's inputs can be encoded. */
  offer(publication: Publication, pipeline: number): void {
    if (this.#stopped) return;
    this.#candidates.set(publication.id, { publication, pipeline });
    this.#choose();
    if (this.#gaveUp) {
      this.#gaveUp = false;
      this.#startRun();
    }
  }

  /** The publication has ended: the other pipeline's, or the slate, takes over. */
  withdraw(publication: Publication): void {
    this.#candidates.delete(publication.id);
    this.#choose();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    await this.#starting;
    const run = this.#run;
    if (run) {
      // The end of its input makes FFmpeg close every segment, playlist and archive file.
      run.relay.end();
      await run.encoder.stop();
      await run.done;
    }
    await Promise.all(this.#pushers.map((pusher) => pusher.stop()));
    await this.#deps.archive.flushed();
    await this.#deps.index.flush();
  }

  readonly #logFailure = (error: unknown): void => {
    this.#deps.logger(`encoder ${this.channelId}: ${error instanceof Error ? error.message : String(error)}`);
  };

  #choose(): void {
    const best = [...this.#candidates.values()].sort((a, b) => a.pipeline - b.pipeline)[0];
    if (best?.publication.id === this.#active?.publication.id) return;
    this.#active = best;
    this.#run?.relay.use(best?.publication);
  }

  #startRun(): void {
    if (this.#stopped || this.#run || this.#starting) return;
    this.#starting = this.#spawnRun()
      .catch((error: unknown) => {
        this.#deps.logger(`encoder ${this.channelId}: could not start: ${String(error)}`);
      })
      .finally(() => {
        this.#starting = undefined;
      });
  }

  async #spawnRun(): Promise<void> {
    const plan = this.#plan;
    const runId = `${Date.now().toString(36)}${randomBytes(1).toString('hex')}`;
    const hlsDir = `hls/${plan.packageChannelId}`;
    // One encoder stands for both pipelines of a STANDARD channel and writes pipeline 1's archive
    // (`_1`), whichever input feeds it: the archive clips read first, complete for the session.
    const archive = this.#deps.archive.startRun(0, this.#deps.mediaDir, `archive/${plan.channelId}/${runId}`);
    await this.#prepareFolders(hlsDir, archive);
    if (this.#stopped) return;
    const args = encoderArgs({
      plan,
      preset: this.#deps.preset,
      hlsDir,
      runId,
      archives: archive.targets,
    });
    const label = `encoder ${plan.channelId}`;
    this.#deps.logger(
      `${label}: run ${runId} (${plan.renditions.length} renditions, ${plan.archives.length} archive outputs, ` +
        `preset ${this.#deps.preset})`,
    );
    const encoder = new EncoderProcess({
      ffmpeg: this.#deps.ffmpeg,
      args,
      cwd: this.#deps.mediaDir,
      label,
      logger: this.#deps.logger,
      outputPipes: plan.simulcast.length,
    });
    for (const [i, output] of encoder.outputs.entries()) this.#pushers[i]?.feed(output);
    const relay = new InputRelay({
      slate: this.#deps.slate,
      output: encoder.media,
      logger: this.#deps.logger,
      label: `input ${plan.channelId}`,
    });
    relay.start();
    relay.use(this.#active?.publication);
    const run: ActiveRun = {
      id: runId,
      encoder,
      relay,
      archive,
      poller: setInterval(() => {
        run.polling = run.polling.then(() => this.#collect(run, false)).catch(this.#logFailure);
      }, POLL_MS),
      polling: Promise.resolve(),
      done: Promise.resolve(),
    };
    run.done = this.#finish(run);
    this.#run = run;
  }

  async #prepareFolders(hlsDir: string, archive: ArchiveRun): Promise<void> {
    const base = this.#deps.mediaDir;
    for (const rendition of this.#plan.renditions) {
      await mkdir(path.join(base, hlsDir, rendition.name), { recursive: true });
    }
    await archive.prepare();
    if (this.#plan.thumbnail) await mkdir(path.join(base, 'thumbnails'), { recursive: true });
    // A master playlist over FFmpeg's own rendition playlists, so the folder plays in VLC as is.
    const master = renderMasterPlaylist(
      this.#plan.renditions,
      (i) => `${this.#plan.renditions[i]?.name}/${FFMPEG_PLAYLIST}`,
    );
    await writeFile(path.join(base, hlsDir, 'index.m3u8'), master);
  }

  async #finish(run: ActiveRun): Promise<void> {
    const exit = await run.encoder.exited;
    run.relay.end();
    clearInterval(run.poller);
    await run.polling;
    await this.#collect(run, true).catch(this.#logFailure);
    void run.archive.recorder
      .flushed()
      .then(() => run.archive.cleanUp())
      .catch(this.#logFailure);
    this.#run = undefined;
    if (this.#stopped) return;

    // The input never ends while the channel runs: any exit is a failure.
    this.#deps.logger(
      `encoder ${this.channelId}: run ${run.id} failed (${exit.signal ?? `code ${exit.code}`}): ` +
        exit.lastErrors.slice(-5).join(' | '),
    );
    const quick = Date.now() - run.encoder.startedAt < QUICK_FAILURE_MS;
    this.#quickFailures = quick ? this.#quickFailures + 1 : 0;
    if (this.#quickFailures >= MAX_QUICK_FAILURES) {
      this.#deps.logger(
        `encoder ${this.channelId}: ${MAX_QUICK_FAILURES} quick failures in a row, waiting for a new publisher`,
      );
      this.#quickFailures = 0;
      this.#gaveUp = true;
      return;
    }
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      this.#startRun();
    }, RESTART_DELAY_MS);
  }

  /** Moves closed HLS segments into the index and closed archive files to the upload queue. */
  async #collect(run: ActiveRun, final: boolean): Promise<void> {
    const { index } = this.#deps;
    const now = Date.now();
    for (const rendition of this.#plan.renditions) {
      let text: string;
      try {
        text = await readFile(path.join(index.dir, rendition.name, FFMPEG_PLAYLIST), 'utf8');
      } catch {
        continue;
      }
      for (const segment of parseMediaPlaylist(text)) {
        // The playlist of a previous run stays until FFmpeg rewrites it: take this run's only.
        if (!segment.uri.startsWith(`${run.id}_`)) continue;
        const file = `${rendition.name}/${segment.uri}`;
        if (index.has(file)) continue;
        index.add(rendition.name, {
          file,
          duration: segment.duration,
          start: segment.programDateTime ?? now - segment.duration * 1000,
          run: run.id,
        });
      }
    }
    const keepSeconds =
      Math.max(this.#deps.startoverSeconds(), LIVE_WINDOW_SECONDS) + 3 * this.#plan.segmentSeconds;
    await index.prune(now - keepSeconds * 1000);
    await run.archive.collect(final);
  }
}
