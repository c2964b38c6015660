/**
 * What a create left without recording it: MediaLive assigns channel and input ids, and a create cut
 * short between MediaLive's answer and the record's update (a crash, an abort, a lost answer on
 * its last try) leaves a resource no record names. The teardown finds it by the name every create
 * gives (`live-<stream id>`), so a delete leaves nothing billing behind.
 */
import {
  type ChannelSummary,
  type Input,
  ListChannelsCommand,
  ListInputsCommand,
  type MediaLiveClient,
} from '@aws-sdk/client-medialive';

const GONE = new Set(['DELETING', 'DELETED']);

export async function unrecordedChannel(
  medialive: MediaLiveClient,
  streamId: string,
): Promise<ChannelSummary | undefined> {
  let NextToken: string | undefined;
  do {
    const page = await medialive.send(new ListChannelsCommand({ MaxResults: 100, NextToken }));
    const found = page.Channels?.find((c) => c.Name === `live-${streamId}` && !GONE.has(c.State ?? ''));
    if (found) return found;
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}

export async function unrecordedInput(
  medialive: MediaLiveClient,
  streamId: string,
): Promise<Input | undefined> {
  let NextToken: string | undefined;
  do {
    const page = await medialive.send(new ListInputsCommand({ MaxResults: 100, NextToken }));
    const found = page.Inputs?.find((i) => i.Name === `live-${streamId}` && !GONE.has(i.State ?? ''));
    if (found) return found;
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}
