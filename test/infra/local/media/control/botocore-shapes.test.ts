/** The model check the other tests rely on must itself catch wire mistakes. */
import { describe, expect, it } from 'vitest';
import { exchangeProblems } from './botocore-shapes.js';

describe('botocore model check of recorded exchanges', () => {
  it('accepts a body that uses the model wire names, types and enums', () => {
    expect(
      exchangeProblems({
        service: 'medialive',
        operation: 'DescribeChannel',
        status: 200,
        headers: {},
        body: JSON.stringify({
          id: '1234567',
          state: 'IDLE',
          pipelinesRunningCount: 0,
          tags: { Any: 'thing' },
        }),
      }),
    ).toEqual([]);
  });

  it('flags member names in SDK casing, wrong types and values outside an enum', () => {
    expect(
      exchangeProblems({
        service: 'medialive',
        operation: 'DescribeChannel',
        status: 200,
        headers: {},
        body: JSON.stringify({ Id: '1', state: 'STARTED', pipelinesRunningCount: '2' }),
      }),
    ).toEqual([
      'medialive.DescribeChannel.Id: not a member of the model',
      'medialive.DescribeChannel.state: STARTED is not in the enum',
      'medialive.DescribeChannel.pipelinesRunningCount: expected an integer',
    ]);
  });

  it('flags errors that are not modelled or answer with another status than the model', () => {
    const error = (code: string, status: number) => ({
      service: 'mediapackage' as const,
      operation: 'DescribeChannel',
      status,
      headers: { 'x-amzn-errortype': code },
      body: JSON.stringify({ message: 'no' }),
    });
    expect(exchangeProblems(error('NotFoundException', 404))).toEqual([]);
    expect(exchangeProblems(error('ConflictException', 409))).toEqual([
      'mediapackage.DescribeChannel: error ConflictException is not a modelled exception',
    ]);
    expect(exchangeProblems(error('NotFoundException', 400))).toEqual([
      'mediapackage.DescribeChannel: NotFoundException answered 400, model says 404',
    ]);
  });

  it('flags CloudFront XML with unknown elements, wrong list member names or a wrong root', () => {
    const xml = (inner: string, root = 'DistributionConfig') =>
      `<?xml version="1.0"?><${root} xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">${inner}</${root}>`;
    const base =
      '<CallerReference>r</CallerReference><Comment>c</Comment><Enabled>true</Enabled>' +
      '<Origins><Quantity>1</Quantity><Items><Origin><Id>o</Id><DomainName>d</DomainName></Origin></Items></Origins>' +
      '<DefaultCacheBehavior><TargetOriginId>o</TargetOriginId><ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy></DefaultCacheBehavior>';
    const check = (body: string) =>
      exchangeProblems({
        service: 'cloudfront',
        operation: 'GetDistributionConfig',
        status: 200,
        headers: {},
        body,
      });
    expect(check(xml(base))).toEqual([]);
    expect(check(xml(`${base}<Colour>red</Colour>`))).toEqual([
      'DistributionConfig.Colour: not a member of the model',
    ]);
    expect(
      check(xml(`${base}<Aliases><Quantity>1</Quantity><Items><Alias>a</Alias></Items></Aliases>`)),
    ).toEqual(['DistributionConfig.Aliases.Items: list member <Alias>, model says <CNAME>']);
    expect(check(xml(base, 'Distribution'))).toEqual([
      'cloudfront.GetDistributionConfig: root element is not <DistributionConfig>',
    ]);
  });
});
