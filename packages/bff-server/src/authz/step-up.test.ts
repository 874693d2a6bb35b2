import { describe, expect, it } from 'vitest';
import {
  acrSatisfies,
  challengeHeader,
  checkStepUpResult,
  DEFAULT_ACR_ORDER,
  parseChallenge,
  parseStepUpRequest,
  StepUpRequestError,
  stepUpShortfall,
  weakestAcr,
} from './step-up.js';

const ORDER = ['urn:bank:pwd', 'urn:bank:otp', 'urn:bank:hwk'];
const NOW = Date.UTC(2026, 0, 1);

describe('step-up requirements (S29)', () => {
  it('ranks acr values by the configured order: the same or a stronger one satisfies, an unknown one only itself', () => {
    expect(acrSatisfies('urn:bank:hwk', 'urn:bank:otp', ORDER)).toBe(true);
    expect(acrSatisfies('urn:bank:otp', 'urn:bank:otp', ORDER)).toBe(true);
    expect(acrSatisfies('urn:bank:pwd', 'urn:bank:otp', ORDER)).toBe(false);
    expect(acrSatisfies(undefined, 'urn:bank:pwd', ORDER)).toBe(false);
    expect(acrSatisfies('urn:other', 'urn:bank:pwd', ORDER)).toBe(false);
    expect(acrSatisfies('urn:custom', 'urn:custom', ORDER)).toBe(true);
    expect(weakestAcr(['urn:bank:hwk', 'urn:bank:otp'], ORDER)).toBe('urn:bank:otp');
    expect(DEFAULT_ACR_ORDER).toEqual(['urn:bff:loa:pwd', 'urn:bff:loa:mfa']);
  });

  it('says what a sign-in lacks, with both parameters of the requirement', () => {
    const authTime = NOW / 1000 - 100;
    expect(stepUpShortfall({ acr: 'urn:bank:otp', authTime }, { acr: 'urn:bank:otp', maxAgeSeconds: 300 }, ORDER, NOW)).toBeUndefined();
    expect(stepUpShortfall({ acr: 'urn:bank:pwd', authTime }, { acr: 'urn:bank:otp', maxAgeSeconds: 300 }, ORDER, NOW)).toEqual({
      acr_values: 'urn:bank:otp',
      max_age: 300,
    });
    expect(stepUpShortfall({ acr: 'urn:bank:hwk', authTime }, { maxAgeSeconds: 60 }, ORDER, NOW)).toEqual({ max_age: 60 });
    // A few seconds for the IdP's clock, no more; no auth_time is never recent.
    expect(stepUpShortfall({ authTime: NOW / 1000 - 4 }, { maxAgeSeconds: 0 }, ORDER, NOW)).toBeUndefined();
    expect(stepUpShortfall({}, { maxAgeSeconds: 3600 }, ORDER, NOW)).toEqual({ max_age: 3600 });
  });

  it("checks a step-up login's ID token against what was asked, not the request (S29)", () => {
    expect(checkStepUpResult({ acr: 'urn:bank:otp' }, { acr: 'urn:bank:pwd' }, ORDER, NOW)).toEqual({ ok: false, reason: 'acr_not_met' });
    expect(checkStepUpResult({ acr: 'urn:bank:otp' }, { acr: 'urn:bank:hwk' }, ORDER, NOW)).toEqual({ ok: true });
    expect(checkStepUpResult({ maxAge: 10 }, { acr: 'urn:bank:hwk', authTime: NOW / 1000 - 60 }, ORDER, NOW)).toEqual({
      ok: false,
      reason: 'auth_time_too_old',
    });
  });

  it("reads /api/login's acr_values and max_age, refusing what the order does not know or what is not a bounded number", () => {
    expect(parseStepUpRequest({ acr_values: 'urn:bank:otp  urn:bank:hwk', max_age: '300' }, ORDER)).toEqual({
      acrValues: ['urn:bank:otp', 'urn:bank:hwk'],
      maxAge: 300,
    });
    expect(parseStepUpRequest({}, ORDER)).toEqual({});
    for (const query of [
      { acr_values: 'urn:evil' },
      { acr_values: ' ' },
      { acr_values: ['urn:bank:otp'] },
      { max_age: '-5' },
      { max_age: '1e3' },
      { max_age: '99999999999' },
    ])
      expect(() => parseStepUpRequest(query, ORDER)).toThrow(StepUpRequestError);
  });

  it("reads RFC 9470's challenge from a downstream API, keeping only safe values, and writes it back the same", () => {
    const header =
      'Bearer realm="reports", error="insufficient_user_authentication", error_description="need more", acr_values="urn:bank:otp urn:bank:hwk", max_age=120';
    const challenge = parseChallenge(header);
    expect(challenge).toEqual({ acr_values: 'urn:bank:otp urn:bank:hwk', max_age: 120 });
    expect(challengeHeader(challenge ?? {})).toBe('Bearer error="insufficient_user_authentication", acr_values="urn:bank:otp urn:bank:hwk", max_age=120');
    expect(parseChallenge('Bearer error="invalid_token"')).toBeUndefined();
    expect(parseChallenge(undefined)).toBeUndefined();
    // Nothing that could break the header or the page travels on.
    expect(parseChallenge('Bearer error="insufficient_user_authentication", acr_values="<script> urn:ok", max_age=99999999999')).toEqual({
      acr_values: 'urn:ok',
    });
  });
});
