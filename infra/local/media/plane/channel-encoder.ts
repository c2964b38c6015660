/**
 * One running MediaLive channel, locally: while a publisher is connected to one of its inputs, one
 * FFmpeg run encodes it into the HLS ladder and the archive.
 *
 * A publisher that drops ends the run (FFmpeg reads the end of stream and closes its files); the
 * channel stays RUNNING and the next publisher starts a new run: HLS continues after a
 * discontinuity and the archive counter continues. With both inputs of a STANDARD channel
 * connected, the lowest pipeline is encoded; the other takes over if it drops (one FFmpeg per
 * channel: two would not keep real time on 2 cores).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type ArchiveRecorder, type ArchiveRun } from './archive-recorder.js';
import { encoderArgs, FFMPEG_PLAYLIST } from './encoder-command.js';
import type { EncoderPlan } from './encoder-plan.js';
import { EncoderProcess } from './encoder-process.js';
import { parseFfmpegPlaylist } from './ffmpeg-playlist.js';
import type { HlsSegmentIndex } from './hls-segment-index.js';
import { LIVE_WINDOW_SECONDS, renderMasterPlaylist } from './origin-playlists.js';
import { ENCODER_APP, type EncoderFeed, type Publication } from './rtmp-ingest.js';

export interface ChannelEncoderDeps {
  ffmpeg: string;
  preset: string;
  /** Absolute `<dataDir>/media`: FFmpeg's working directory. */
  mediaDir: string;
  index: HlsSegmentIndex;
  archive: ArchiveRecorder;
  encoderFeed(publication: Publication): EncoderFeed;
  /** Seconds of HLS the package channel's endpoints can rewind (largest startover window). */
  startoverSeconds(): number;
  logger: (line: string) => void;
  /** How often FFmpeg's output folders are read for closed segments and files. */
  pollMs?: number;
  progressLogMs?: number;
}

interface Candidate {
  publication: Publication;
  pipeline: number;
}

interface ActiveRun {
  id: string;
  candidate: Candidate;
  encoder: EncoderProcess;
  feed: EncoderFeed;
  archive: ArchiveRun;
  poller: NodeJS.Timeout;
  polling: Promise<void>;
  done: Promise<void>;
}

/** A run that fails this fast is a crash loop, not a hiccup: back off, then give up. */
const QUICK_FAILURE_MS = 10_000;
const MAX_QUICK_FAILURES = 3;
const RESTART_DELAY_MS = 1_000;

export class ChannelEncoder {
  readonly #plan: EncoderPlan;
  readonly #deps: ChannelEncoderDeps;
  readonly #candidates = new Map<string, Candidate>();
  #run: ActiveRun | undefined;
  /** A run being set up (folders, spawn): no second one may start meanwhile. */
  #starting: Promise<void> | undefined;
  #stopped = false;
  #quickFailures = 0;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(plan: EncoderPlan, deps: ChannelEncoderDeps) {
    this.#plan = plan;
    this.#deps = deps;
    deps.index.setLadder(
      plan.renditions.map((r) => ({
        name: r.name,
        bandwidth: r.bandwidth,
        width: r.width,
        height: r.height,
        ...(r.frameRate ? { frameRate: r.frameRate } : {}),
      })),
      plan.segmentSeconds,
    );
  }

  get channelId(): string {
    return this.#plan.channelId;
  }

  /** The publication on one of this channel's inputs can be encoded. */
  offer(publication: Publication, pipeline: number): void {
    if (this.#stopped) return;
    this.#candidates.set(publication.id, { publication, pipeline });
    if (!this.#run && !this.#starting && !this.#restartTimer) this.#startNext();
  }

  /** The publication has ended; a run on it ends by itself (end of stream). */
  withdraw(publication: Publication): void {
    this.#candidates.delete(publication.id);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    await this.#starting;
    const run = this.#run;
    if (run) {
      await run.encoder.stop();
      await run.done;
    }
    await this.#deps.archive.flushed();
    await this.#deps.index.flush();
  }

  readonly #logFailure = (error: unknown): void => {
    this.#deps.logger(`encoder ${this.channelId}: ${error instanceof Error ? error.message : String(error)}`);
  };

  #startNext(): void {
    const next = [...this.#candidates.values()].sort((a, b) => a.pipeline - b.pipeline)[0];
    if (!next || this.#stopped) return;
    this.#starting = this.#startRun(next)
      .catch((error: unknown) => {
        this.#deps.logger(`encoder ${this.channelId}: could not start: ${String(error)}`);
        // Typically the publisher left during set-up: try the next one, if any.
        this.#candidates.delete(next.publication.id);
      })
      .finally(() => {
        this.#starting = undefined;
        if (!this.#run && !this.#restartTimer) this.#startNext();
      });
  }

  async #startRun(candidate: Candidate): Promise<void> {
    const plan = this.#plan;
    const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296)
      .toString(36)
      .padStart(2, '0')}`;
    const hlsDir = `hls/${plan.packageChannelId}`;
    const archive = this.#deps.archive.startRun(
      candidate.pipeline,
      this.#deps.mediaDir,
      `archive/${plan.channelId}/${runId}`,
    );
    await this.#prepareFolders(hlsDir, archive);
    if (this.#stopped) return;
    const feed = this.#deps.encoderFeed(candidate.publication);
    const args = encoderArgs({
      plan,
      inputUrl: feed.url,
      inputHasAudio: candidate.publication.hasAudio,
      preset: this.#deps.preset,
      hlsDir,
      runId,
      archives: archive.targets,
    });
    const label = `encoder ${plan.channelId}`;
    this.#deps.logger(
      `${label}: run ${runId} on pipeline ${candidate.pipeline} (${plan.renditions.length} renditions, ` +
        `${plan.archives.length} archive outputs, preset ${this.#deps.preset})`,
    );
    const encoder = new EncoderProcess({
      ffmpeg: this.#deps.ffmpeg,
      args,
      cwd: this.#deps.mediaDir,
      label,
      logger: this.#deps.logger,
      // How FFmpeg reports the end of stream sent when the publisher leaves: normal, not an error.
      expectedLines: [
        new RegExp(`/${ENCODER_APP}/[0-9a-f]+: Input/output error$`),
        /^\s*Last message repeated \d+ times?$/,
      ],
      ...(this.#deps.progressLogMs ? { progressLogMs: this.#deps.progressLogMs } : {}),
    });
    const run: ActiveRun = {
      id: runId,
      candidate,
      encoder,
      feed,
      archive,
      poller: setInterval(() => {
        run.polling = run.polling.then(() => this.#collect(run, false)).catch(this.#logFailure);
      }, this.#deps.pollMs ?? 500),
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
    // A master playlist over FFmpeg's own rendition playlists, so the folder plays in VLC as is.
    const master = renderMasterPlaylist(this.#deps.index.renditions, (i) => {
      const rendition = this.#plan.renditions[i];
      return `${rendition?.name ?? i}/${FFMPEG_PLAYLIST}`;
    });
    await writeFile(path.join(base, hlsDir, 'index.m3u8'), master);
  }

  async #finish(run: ActiveRun): Promise<void> {
    const exit = await run.encoder.exited;
    clearInterval(run.poller);
    run.feed.release();
    await run.polling;
    await this.#collect(run, true).catch(this.#logFailure);
    void run.archive.recorder
      .flushed()
      .then(() => run.archive.cleanUp())
      .catch(this.#logFailure);
    this.#run = undefined;

    const failed = exit.code !== 0 && !this.#stopped;
    if (failed) {
      this.#deps.logger(
        `encoder ${this.channelId}: run ${run.id} failed (${exit.signal ?? `code ${exit.code}`}): ` +
          exit.lastErrors.slice(-5).join(' | '),
      );
    }
    if (this.#stopped) return;
    const quick = Date.now() - run.encoder.startedAt < QUICK_FAILURE_MS;
    this.#quickFailures = failed && quick ? this.#quickFailures + 1 : 0;
    if (this.#quickFailures >= MAX_QUICK_FAILURES) {
      this.#deps.logger(
        `encoder ${this.channelId}: ${MAX_QUICK_FAILURES} quick failures in a row, waiting for a new publisher`,
      );
      this.#candidates.clear();
      this.#quickFailures = 0;
      return;
    }
    this.#restartTimer = setTimeout(
      () => {
        this.#restartTimer = undefined;
        this.#startNext();
      },
      failed ? RESTART_DELAY_MS : 0,
    );
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
      for (const segment of parseFfmpegPlaylist(text)) {
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
