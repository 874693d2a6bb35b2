import { describe, expect, it } from 'vitest';
import { AnswerCache } from './answer-cache.js';

/** Resolves when `release` is called: an answer that takes as long as the test wants. */
function gate() {
  let release: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (release = resolve));
  return { opened, release: () => release() };
}

describe('AnswerCache', () => {
  it('reuses an answer strictly within its keepMs, on the clock it is given', async () => {
    let now = 1_000_000;
    const asked: string[] = [];
    const answers = new AnswerCache({ max: 10, now: () => now, ask: async (key) => (asked.push(key), { value: { key }, keepMs: 1000 }) });
    await answers.get('a');
    now += 999;
    await answers.get('a');
    expect(asked).toEqual(['a']);
    now += 1;
    await answers.get('a');
    expect(asked).toEqual(['a', 'a']);
  });

  it('keeps no answer whose keepMs is 0 or less, yet shares it among the askers waiting for it', async () => {
    const { opened, release } = gate();
    let asked = 0;
    const answers = new AnswerCache({ max: 10, now: Date.now, ask: async () => (asked++, await opened, { value: { n: asked }, keepMs: 0 }) });
    const waiting = Promise.all([answers.get('a'), answers.get('a'), answers.get('a')]);
    release();
    expect(await waiting).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }]);
    expect(answers.size).toBe(0);
    await answers.get('a');
    expect(asked).toBe(2);
  });

  it('keeps nothing with max 0', async () => {
    let asked = 0;
    const answers = new AnswerCache({ max: 0, now: Date.now, ask: async () => (asked++, { value: {}, keepMs: 60_000 }) });
    await answers.get('a');
    await answers.get('a');
    expect(asked).toBe(2);
  });

  it('shares a failure among its askers, keeps none, and drops the expired answer it was to replace', async () => {
    let now = 1_000_000;
    let fail = false;
    let asked = 0;
    const answers = new AnswerCache({
      max: 10,
      now: () => now,
      ask: async () => {
        asked++;
        if (fail) throw new Error('unreachable');
        return { value: { asked }, keepMs: 1000 };
      },
    });
    await answers.get('a');
    now += 2000;
    fail = true;
    const failures = await Promise.allSettled([answers.get('a'), answers.get('a')]);
    expect(failures.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    expect(asked).toBe(2);
    expect(answers.size).toBe(0);
    await expect(answers.get('a')).rejects.toThrow('unreachable');
    expect(asked).toBe(3);
  });

  it('still answers the askers of an answer pushed out while it was being asked for, and stays bounded', async () => {
    const { opened, release } = gate();
    const answers = new AnswerCache({ max: 2, now: Date.now, ask: async (key) => (key === 'slow' && (await opened), { value: { key }, keepMs: 60_000 }) });
    const slow = answers.get('slow');
    await answers.get('b');
    await answers.get('c');
    release();
    expect(await slow).toEqual({ key: 'slow' });
    expect(answers.size).toBeLessThanOrEqual(2);
  });
});
