/** The media plane's view of a MediaLive channel, in the SDK's shapes. */
import type { LocalChannel } from '../contracts.js';
import type { ChannelRecord } from './control-state.js';
import { wireToSdkShape } from './wire-case.js';

export function toLocalChannel(channel: ChannelRecord): LocalChannel {
  const { settings } = channel;
  return {
    id: channel.id,
    arn: channel.arn,
    name: settings.name ?? '',
    channelClass: settings.channelClass,
    encoderSettings: wireToSdkShape(settings.encoderSettings) as LocalChannel['encoderSettings'],
    destinations: wireToSdkShape(settings.destinations) as LocalChannel['destinations'],
    inputIds: attachedInputIds(channel),
  };
}

export function attachedInputIds(channel: ChannelRecord): string[] {
  return channel.settings.inputAttachments.flatMap((attachment) =>
    typeof attachment.inputId === 'string' ? [attachment.inputId] : [],
  );
}
