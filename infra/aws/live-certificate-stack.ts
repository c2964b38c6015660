/**
 * A stack in us-east-1 holding only the live domain's certificate, for deployments in any other
 * region: CloudFront takes certificates from us-east-1 only, and a stack creates resources in its own
 * region. The certificate ARN reaches the stateful stack through CDK's cross-region references.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { Construct } from 'constructs';
import type { LiveCdnConfig } from './config.js';
import { importLiveZone, LiveCertificate } from './live-distribution.js';

export interface LiveCertificateStackProps extends StackProps {
  /** The CDN settings with a domain name and a hosted zone. */
  cdn: LiveCdnConfig;
}

export class LiveCertificateStack extends Stack {
  readonly certificate: ICertificate;

  constructor(scope: Construct, id: string, props: LiveCertificateStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const zone = importLiveZone(this, props.cdn);
    if (!props.cdn.domainName || !zone)
      throw new Error('LiveCertificateStack needs cloudfront_live_domain and a hosted zone');
    this.certificate = new LiveCertificate(this, 'LiveCertificate', {
      domainName: props.cdn.domainName,
      zone,
    }).certificate;
  }
}
