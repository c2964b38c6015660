/**
 * What the deployment has (CloudFront, SPEKE encryption, a schedule group), and the refusals of the
 * routes that need what it lacks.
 */
import { FeatureNotConfigured, InvalidRequest } from '../core/errors.js';
import type { Schedules } from '../core/stream-schedules.js';

export interface ApiConfig {
  /** A live CloudFront distribution is deployed (`/live` routes work). */
  cloudfront: boolean;
  /** A SPEKE key provider is configured (`key_rotation_interval` takes effect). */
  encryption: boolean;
  /** Default auto-stop guard for new streams, seconds; null = none. */
  defaultMaxDurationSeconds: number | null;
  /** Browser origin allowed to read answers (CORS), when a console is deployed. */
  corsOrigin?: string | undefined;
}

export function requireEncryption(config: ApiConfig, keyRotation: number | null | undefined): void {
  if (keyRotation !== undefined && keyRotation !== null && !config.encryption) {
    throw new InvalidRequest(
      [{ field: 'key_rotation_interval', reason: 'HLS encryption is not configured on this deployment' }],
      'key_rotation_interval needs HLS encryption, which is not configured on this deployment (no SPEKE key provider)',
    );
  }
}

export function requireCloudFront(config: ApiConfig): void {
  if (!config.cloudfront) {
    throw new FeatureNotConfigured(
      'cloudfront',
      'this deployment has no live CloudFront distribution; deploy with the cloudfront context option to use /live',
    );
  }
}

export function requireSchedules(schedules: Schedules | undefined): Schedules {
  if (!schedules) {
    throw new FeatureNotConfigured(
      'schedules',
      'this deployment has no schedule group: schedules are not available',
    );
  }
  return schedules;
}
