import { TestBed } from '@angular/core/testing';
import { SESSION_CHANNEL, SESSION_CHANNEL_NAME, broadcastSessionChannel, type SessionMessage } from './session-channel.js';

describe('broadcastSessionChannel', () => {
  // A name of its own: a real BroadcastChannel reaches every test file running in parallel.
  const name = `test-${crypto.randomUUID()}`;
  let sender: BroadcastChannel;
  let receiver: BroadcastChannel;

  beforeEach(() => {
    sender = new BroadcastChannel(name);
    receiver = new BroadcastChannel(name);
  });

  afterEach(() => {
    sender.close();
    receiver.close();
  });

  it('carries a sign-out to another tab, ignores anything else, and stops when asked', async () => {
    const received: SessionMessage[] = [];
    const stop = broadcastSessionChannel(receiver).listen((message) => received.push(message));

    sender.postMessage('signed-out');
    sender.postMessage({ type: 'signed-in' });
    broadcastSessionChannel(sender).post({ type: 'signed-out' });
    await vi.waitFor(() => expect(received).toEqual([{ type: 'signed-out' }]));

    stop();
    broadcastSessionChannel(sender).post({ type: 'signed-out' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toHaveLength(1);
  });

  it('does not throw when posting on a closed channel', () => {
    sender.close();
    expect(() => broadcastSessionChannel(sender).post({ type: 'signed-out' })).not.toThrow();
  });
});

describe('SESSION_CHANNEL', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is null where the browser has no BroadcastChannel', () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    expect(TestBed.inject(SESSION_CHANNEL)).toBeNull();
  });

  it(`opens "${SESSION_CHANNEL_NAME}" and closes it with the application`, () => {
    const opened: { name: string; closed: boolean }[] = [];
    vi.stubGlobal(
      'BroadcastChannel',
      class {
        private readonly record: { name: string; closed: boolean };
        constructor(name: string) {
          this.record = { name, closed: false };
          opened.push(this.record);
        }
        postMessage(): void {}
        addEventListener(): void {}
        removeEventListener(): void {}
        close(): void {
          this.record.closed = true;
        }
      },
    );

    expect(TestBed.inject(SESSION_CHANNEL)).not.toBeNull();
    expect(opened).toEqual([{ name: SESSION_CHANNEL_NAME, closed: false }]);

    TestBed.resetTestingModule();
    expect(opened[0]?.closed).toBe(true);
  });
});
