import { describe, expect, it } from 'vitest';
import { overallTopology, sameSiteFor, siteOf, topologyOf } from './topology.js';

const u = (s: string) => new URL(s);

describe('topology (S7)', () => {
  it('tells same-origin, same-site and cross-site apart', () => {
    expect(topologyOf(u('https://app.example.com'), u('https://app.example.com'))).toBe('same-origin');
    expect(topologyOf(u('https://app.example.com'), u('https://api.example.com'))).toBe('same-site');
    expect(topologyOf(u('https://app.example.com'), u('https://api.other.com'))).toBe('cross-site');
    expect(topologyOf(u('http://localhost:4200'), u('http://localhost:3000'))).toBe('same-site');
  });

  it('is public-suffix aware', () => {
    expect(siteOf(u('https://app.example.co.uk'))).toBe('https://example.co.uk');
    expect(topologyOf(u('https://a.github.io'), u('https://b.github.io'))).toBe('cross-site');
  });

  it('is schemeful: http front and https API are cross-site', () => {
    expect(topologyOf(u('http://app.example.com'), u('https://api.example.com'))).toBe('cross-site');
  });

  it('takes the least related front for the whole set', () => {
    const api = u('https://api.example.com');
    expect(overallTopology([u('https://app.example.com'), u('https://app.other.com')], api)).toBe('cross-site');
    expect(sameSiteFor('same-site')).toBe('lax');
    expect(sameSiteFor('cross-site')).toBe('none');
  });
});
