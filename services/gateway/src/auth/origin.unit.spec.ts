import { describe, expect, it } from 'vitest';
import { originAllowed } from './origin.ts';
import { RateLimit } from './rate-limit.ts';

describe('origins', () => {
  it('given a request, then allowed from no browser, its own origin, or one the operator lists', () => {
    expect(originAllowed(undefined, 'ferry:8080', [])).toBe(true);
    expect(originAllowed('http://ferry:8080', 'ferry:8080', [])).toBe(true);
    expect(originAllowed('https://evil.example', 'ferry:8080', [])).toBe(false);
    expect(originAllowed('http://ferry:8080.evil.example', 'ferry:8080', [])).toBe(false);
    expect(originAllowed('null', 'ferry:8080', [])).toBe(false);
    expect(
      originAllowed('https://console.example', 'ferry:8080', ['https://console.example/']),
    ).toBe(true);
  });
});

describe('rate limit', () => {
  it('given N a minute, when a person asks N+1 times, then the last waits for the minute to pass', () => {
    const limit = new RateLimit(2);
    expect([limit.take('a', 0), limit.take('a', 1), limit.take('a', 2)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(limit.take('b', 2)).toBe(true);
    expect(limit.take('a', 60_001)).toBe(true);
  });
});
