import { describe, expect, it } from 'vitest';
import { defaultDistributionConfig } from '../../../../../infra/local/media/control/cloudfront-api.js';
import { cloudFrontShapes } from '../../../../../infra/local/media/control/cloudfront-schema.js';
import {
  buildXmlShape,
  inconsistentQuantities,
  parseXmlShape,
  shapeProblems,
  XmlShapeError,
} from '../../../../../infra/local/media/control/cloudfront-xml.js';
import {
  extractCloudFrontSchema,
  loadBotocoreModel,
} from '../../../../../infra/local/media/control/generate-cloudfront-schema.js';

describe('CloudFront schema', () => {
  it('matches what the generator extracts from the installed botocore model', () => {
    expect(cloudFrontShapes).toEqual(extractCloudFrontSchema(loadBotocoreModel('cloudfront', '2020-05-31')));
  });
});

describe('CloudFront XML codec', () => {
  it('round-trips the default distribution config', () => {
    const config = defaultDistributionConfig('http://127.0.0.1:8080');
    const xml = buildXmlShape('DistributionConfig', 'DistributionConfig', config);
    expect(xml).toContain('<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">');
    expect(parseXmlShape(xml, 'DistributionConfig', 'DistributionConfig')).toEqual(config);
  });

  it('wraps list members in Items with the model member name and leaves out empty lists', () => {
    const xml = buildXmlShape('DistributionConfig', 'DistributionConfig', {
      ...defaultDistributionConfig('http://127.0.0.1:8080'),
      Aliases: { Quantity: 2, Items: ['a.example.com', 'b.example.com'] },
      CacheBehaviors: { Quantity: 0, Items: [] },
    });
    expect(xml).toContain(
      '<Aliases><Quantity>2</Quantity><Items><CNAME>a.example.com</CNAME><CNAME>b.example.com</CNAME></Items></Aliases>',
    );
    expect(xml).toContain('<CacheBehaviors><Quantity>0</Quantity></CacheBehaviors>');
  });

  it('reads a one-member list as a list and types scalars by the model, not by their look', () => {
    const xml = `<?xml version="1.0"?><DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">
      <CallerReference>123</CallerReference><Comment>007</Comment><Enabled>true</Enabled>
      <Aliases><Quantity>1</Quantity><Items><CNAME>only.example.com</CNAME></Items></Aliases>
      <Origins><Quantity>1</Quantity><Items><Origin><Id>o</Id><DomainName>h</DomainName><ConnectionAttempts>3</ConnectionAttempts></Origin></Items></Origins>
      <DefaultCacheBehavior><TargetOriginId>o</TargetOriginId><ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy></DefaultCacheBehavior>
      <WebACLId></WebACLId>
    </DistributionConfig>`;
    expect(parseXmlShape(xml, 'DistributionConfig', 'DistributionConfig')).toEqual({
      CallerReference: '123',
      Comment: '007',
      Enabled: true,
      Aliases: { Quantity: 1, Items: ['only.example.com'] },
      Origins: { Quantity: 1, Items: [{ Id: 'o', DomainName: 'h', ConnectionAttempts: 3 }] },
      DefaultCacheBehavior: { TargetOriginId: 'o', ViewerProtocolPolicy: 'allow-all' },
      WebACLId: '',
    });
  });

  it('rejects unknown elements, repeated elements, wrong roots and bad scalars', () => {
    const wrap = (inner: string) => `<DistributionConfig>${inner}</DistributionConfig>`;
    expect(() => parseXmlShape(wrap('<Bogus>1</Bogus>'), 'DistributionConfig', 'DistributionConfig')).toThrow(
      XmlShapeError,
    );
    expect(() =>
      parseXmlShape(
        wrap('<Comment>a</Comment><Comment>b</Comment>'),
        'DistributionConfig',
        'DistributionConfig',
      ),
    ).toThrow(XmlShapeError);
    expect(() => parseXmlShape('<Distribution/>', 'DistributionConfig', 'DistributionConfig')).toThrow(
      XmlShapeError,
    );
    expect(() =>
      parseXmlShape(wrap('<Enabled>yes</Enabled>'), 'DistributionConfig', 'DistributionConfig'),
    ).toThrow(XmlShapeError);
    expect(() =>
      parseXmlShape(
        wrap('<Aliases><Quantity>1</Quantity><Items><Alias>x</Alias></Items></Aliases>'),
        'DistributionConfig',
        'DistributionConfig',
      ),
    ).toThrow(XmlShapeError);
  });

  it('reports missing required members and values outside an enum', () => {
    const config = defaultDistributionConfig('http://127.0.0.1:8080');
    expect(shapeProblems('DistributionConfig', config, 'DistributionConfig')).toEqual([]);
    const broken = { ...config, Comment: undefined, PriceClass: 'PriceClass_Cheap' };
    expect(shapeProblems('DistributionConfig', broken, 'DistributionConfig')).toEqual([
      'DistributionConfig.Comment is required',
      'DistributionConfig.PriceClass must be one of PriceClass_100, PriceClass_200, PriceClass_All, None',
    ]);
  });

  it('finds every Quantity that disagrees with its Items', () => {
    const config = defaultDistributionConfig('http://127.0.0.1:8080');
    expect(inconsistentQuantities(config, 'DistributionConfig')).toEqual([]);
    const broken = { ...config, Aliases: { Quantity: 1 }, CacheBehaviors: { Quantity: 0, Items: [{}] } };
    expect(inconsistentQuantities(broken, 'DistributionConfig')).toEqual([
      'DistributionConfig.Aliases',
      'DistributionConfig.CacheBehaviors',
    ]);
  });
});
