import { describe, expect, it } from 'vitest';
import { CloudConfigError } from '../config/cloud-config.ts';
import { cloudFailureOf } from './cloud-failure.ts';
import { OpenStackError } from './openstack-error.ts';

const answer = (status: number, message: string, notOpenStack = false) =>
  new OpenStackError({
    service: 'glance',
    status,
    method: 'PUT',
    path: '/v2/images',
    message,
    notOpenStack,
  });

describe('cloudFailureOf', () => {
  it.each([
    ['a refused quota (413)', answer(413, 'Request Entity Too Large'), 'quota-exceeded'],
    ['a quota named in a 403', answer(403, 'Quota exceeded for cores'), 'quota-exceeded'],
    [
      'a refusal of the credentials (401)',
      answer(401, 'The request you have made requires authentication.'),
      'openstack-refused',
    ],
    ['a bad request (400)', answer(400, 'Invalid imageRef provided.'), 'openstack-rejected'],
    [
      'a missing cloud configuration',
      new CloudConfigError('no clouds.yaml'),
      'openstack-unconfigured',
    ],
  ])('fails the job on %s', (_, error, code) => {
    expect(cloudFailureOf(error, 'to deploy to')?.code).toBe(code);
  });

  it.each([
    ['no answer', answer(0, 'connect ECONNREFUSED')],
    ['a server error', answer(503, 'Service Unavailable')],
    ['a proxy page', answer(200, '<html>', true)],
    ['an error that is not the cloud', new Error('EPIPE')],
  ])('leaves %s to be waited out (not the job failing)', (_, error) => {
    expect(cloudFailureOf(error, 'to deploy to')).toBeUndefined();
  });

  it('says what the cloud was for when none is configured', () => {
    expect(cloudFailureOf(new CloudConfigError('no clouds.yaml'), 'to upload to')?.message).toBe(
      'no OpenStack to upload to: no clouds.yaml',
    );
  });
});
