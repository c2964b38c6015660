/**
 * What local mode and the workflow harness call the deployment's resources, so that the calls they
 * record and the synthesized policies name the same ARNs. The deployment names its event bus and its
 * schedule group `<stack>-streams`; local mode calls both `live-streams`.
 */
import { LOCAL_ACCOUNT } from '../../infra/local/definitions.js';
import {
  LOCAL_DISTRIBUTION_ID,
  LOCAL_EVENT_BUS,
  LOCAL_MEDIACONVERT_ROLE_ARN,
  LOCAL_SCHEDULE_GROUP,
  LOCAL_SRT_SECRET_PREFIX,
} from '../../infra/local/stack.js';
import { ARCHIVE_BUCKET, LIVE_DISTRIBUTION_ID } from '../support/workflow-harness.js';

if (LOCAL_EVENT_BUS !== LOCAL_SCHEDULE_GROUP || LIVE_DISTRIBUTION_ID !== LOCAL_DISTRIBUTION_ID) {
  throw new Error('local mode and the workflow harness must name the bus, the group and the CDN alike');
}

export const LOCAL_IDENTITIES = {
  table: 'live-streams',
  archiveBucket: ARCHIVE_BUCKET,
  eventBus: LOCAL_EVENT_BUS,
  scheduleGroup: LOCAL_SCHEDULE_GROUP,
  distributionId: LOCAL_DISTRIBUTION_ID,
  mediaLiveRoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local-medialive`,
  schedulerRoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local-scheduler`,
  /** The role ExportClip passes to MediaConvert (the local definition names it, state-machines/workflows.ts). */
  mediaConvertRoleArn: LOCAL_MEDIACONVERT_ROLE_ARN,
  /**
   * Each local stack creates its own input security group (MediaLive assigns its id); the one a
   * deployment has is its own, so every recorded id stands for it.
   */
  inputSecurityGroup: 'the-deployments-input-security-group',
  srtSecretPrefix: LOCAL_SRT_SECRET_PREFIX,
};
