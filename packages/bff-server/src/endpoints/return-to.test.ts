import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './return-to.js';

const fronts = ['https://app.example.com', 'https://admin.example.com'];
const home = 'https://app.example.com/';

describe('safeReturnTo (S3)', () => {
  it('keeps paths and URLs on allowed fronts', () => {
    expect(safeReturnTo('/chat?room=1#top', fronts)).toBe('https://app.example.com/chat?room=1#top');
    expect(safeReturnTo('https://admin.example.com/users', fronts)).toBe('https://admin.example.com/users');
    expect(safeReturnTo('/%2F%2Fevil.example', fronts)).toBe('https://app.example.com/%2F%2Fevil.example');
  });

  it.each([
    'https://evil.example',
    'https://evil.example/https://app.example.com',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    'https:evil.example',
    'https:/evil.example',
    'https://app.example.com.evil.example/',
    'https://app.example.com@evil.example/',
    'https://user:pass@app.example.com/',
    'http://app.example.com/',
    'javascript:alert(1)',
    'data:text/html,hi',
    '%2F%2Fevil.example',
    '%252F%252Fevil.example',
    'evil.example',
    ' https://evil.example',
    '',
    'x'.repeat(3000),
  ])('falls back home for %s', (raw) => {
    expect(safeReturnTo(raw, fronts)).toBe(home);
  });

  it('falls back home for non-strings (repeated query parameters)', () => {
    expect(safeReturnTo(['/a', '/b'], fronts)).toBe(home);
    expect(safeReturnTo(undefined, fronts)).toBe(home);
  });
});
