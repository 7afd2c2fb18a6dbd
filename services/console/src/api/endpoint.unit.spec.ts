import { describe, expect, it } from 'vitest';

import { httpEndpoint, wsEndpoint } from './endpoint.ts';

describe('httpEndpoint', () => {
  it('appends /graphql to the base, whatever its trailing slashes', () => {
    expect(httpEndpoint('/api')).toBe('/api/graphql');
    expect(httpEndpoint('/api/')).toBe('/api/graphql');
    expect(httpEndpoint('https://ferry.example/api')).toBe('https://ferry.example/api/graphql');
  });
});

describe('wsEndpoint', () => {
  const http = { protocol: 'http:', host: 'localhost:4000' };
  const https = { protocol: 'https:', host: 'ferry.example' };

  it('resolves a relative base against the page, ws for http pages', () => {
    expect(wsEndpoint('/api', http)).toBe('ws://localhost:4000/api/graphql');
  });

  it('uses wss for https pages', () => {
    expect(wsEndpoint('/api', https)).toBe('wss://ferry.example/api/graphql');
  });

  it('treats a base without a leading slash as rooted', () => {
    expect(wsEndpoint('api', http)).toBe('ws://localhost:4000/api/graphql');
  });

  it('turns an absolute http(s) base into ws(s), ignoring the page', () => {
    expect(wsEndpoint('http://gw:4000', https)).toBe('ws://gw:4000/graphql');
    expect(wsEndpoint('https://gw.example/api/', http)).toBe('wss://gw.example/api/graphql');
  });

  it('keeps an explicit ws base', () => {
    expect(wsEndpoint('wss://gw.example', http)).toBe('wss://gw.example/graphql');
  });
});
