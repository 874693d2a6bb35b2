import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { networkError, provideBffTesting, trpcError } from '@oidc-bff/angular/testing';
import { createFakeTrpc, deviceSession, type FakeTrpc } from '../../testing/fake-api';
import { settle } from '../../testing/settle';
import { ServiceStatus } from '@oidc-bff/angular';
import { SignedInDevices } from './signed-in-devices';

const HERE = deviceSession('here', { current: true, browser: 'Chrome', os: 'macOS', lastActiveAt: '2030-01-01T09:30:00.000Z' });
const PHONE = deviceSession('phone', { browser: 'Safari', os: 'iOS', place: 'Lyon, France' });
const LAPTOP = deviceSession('laptop', { browser: 'Firefox', os: 'Linux' });

describe('SignedInDevices', () => {
  let trpc: FakeTrpc;

  async function render(): Promise<{ fixture: ComponentFixture<SignedInDevices>; el: HTMLElement }> {
    const fixture = TestBed.createComponent(SignedInDevices);
    await settle(fixture);
    return { fixture, el: fixture.nativeElement as HTMLElement };
  }

  function devices(el: HTMLElement): HTMLElement[] {
    return [...el.querySelectorAll<HTMLElement>('[data-testid=devices] [data-testid=device]')];
  }

  function button(el: HTMLElement, testId: string): HTMLButtonElement {
    const found = el.querySelector<HTMLButtonElement>(`[data-testid=${testId}]`);
    if (!found) throw new Error(`no ${testId} button`);
    return found;
  }

  beforeEach(() => {
    trpc = createFakeTrpc();
    TestBed.configureTestingModule({ providers: [provideBffTesting({ client: trpc })] });
  });

  it('shows a loading state first', async () => {
    trpc.sessions.list.query.mockReturnValue(new Promise(() => undefined));
    const { el } = await render();
    expect(el.querySelector('[data-testid=devices-loading]')).not.toBeNull();
  });

  it('lists the sessions in the order given, with the current one marked as this device', async () => {
    trpc.sessions.list.query.mockResolvedValue([HERE, PHONE, LAPTOP]);
    const { el } = await render();

    expect(el.querySelector('[data-testid=devices]')?.tagName).toBe('UL');
    const items = devices(el);
    expect(items.map((item) => item.querySelector('strong')?.textContent)).toEqual(['Chrome on macOS', 'Safari on iOS', 'Firefox on Linux']);
    expect(items.map((item) => item.querySelector('[data-testid=device-current]') !== null)).toEqual([true, false, false]);
    expect(items.map((item) => item.getAttribute('aria-current'))).toEqual(['true', null, null]);
    expect(el.querySelectorAll('[data-testid=device-current]')).toHaveLength(1);
    expect([...(items[0]?.querySelectorAll('time') ?? [])].map((time) => time.getAttribute('datetime'))).toEqual([HERE.createdAt, HERE.lastActiveAt]);
  });

  it('shows the place only when known', async () => {
    trpc.sessions.list.query.mockResolvedValue([HERE, PHONE]);
    const { el } = await render();
    expect(devices(el).map((item) => item.querySelector('[data-testid=device-place]')?.textContent ?? null)).toEqual([
      null,
      expect.stringContaining('Lyon, France'),
    ]);
  });

  it('offers a sign-out for every other session, each with a name of its own, and none for this one', async () => {
    const twin = deviceSession('twin', { browser: 'Firefox', os: 'Linux', createdAt: '2029-12-24T08:00:00.000Z' });
    trpc.sessions.list.query.mockResolvedValue([HERE, PHONE, LAPTOP, twin]);
    const { el } = await render();

    const revokes = devices(el).map((item) => item.querySelector<HTMLButtonElement>('[data-testid=device-revoke]'));
    expect(revokes[0]).toBeNull();
    const names = revokes.slice(1).map((b) => b?.textContent?.replace(/\s+/g, ' ').trim());
    expect(names.every((name) => name?.startsWith('Sign out'))).toBe(true);
    expect(names[0]).toContain('Safari on iOS');
    expect(new Set(names).size).toBe(3);
  });

  it('revokes a session by its id, then reads the list again', async () => {
    trpc.sessions.list.query.mockResolvedValueOnce([HERE, PHONE, LAPTOP]).mockResolvedValueOnce([HERE, LAPTOP]);
    trpc.sessions.revoke.mutate.mockResolvedValue({ ended: 1 });
    const { fixture, el } = await render();

    devices(el)[1]?.querySelector<HTMLButtonElement>('[data-testid=device-revoke]')?.click();
    await settle(fixture);

    expect(trpc.sessions.revoke.mutate).toHaveBeenCalledExactlyOnceWith({ id: PHONE.id });
    expect(trpc.sessions.list.query).toHaveBeenCalledTimes(2);
    expect(devices(el).map((item) => item.querySelector('strong')?.textContent)).toEqual(['Chrome on macOS', 'Firefox on Linux']);
    expect(el.querySelector('[data-testid=devices-outcome]')?.textContent).toContain('Safari on iOS');
    // The button went with the session; the focus is not lost.
    expect(document.activeElement).toBe(el.querySelector('h2'));
  });

  it('signs out everywhere else with revokeOthers, then reads the list again', async () => {
    trpc.sessions.list.query.mockResolvedValueOnce([HERE, PHONE, LAPTOP]).mockResolvedValueOnce([HERE]);
    trpc.sessions.revokeOthers.mutate.mockResolvedValue({ ended: 2 });
    const { fixture, el } = await render();

    button(el, 'devices-revoke-others').click();
    await settle(fixture);

    expect(trpc.sessions.revokeOthers.mutate).toHaveBeenCalledOnce();
    expect(trpc.sessions.revoke.mutate).not.toHaveBeenCalled();
    expect(trpc.sessions.list.query).toHaveBeenCalledTimes(2);
    expect(devices(el)).toHaveLength(1);
    expect(el.querySelector('[data-testid=devices-outcome]')?.textContent).toContain('2');
    expect(button(el, 'devices-revoke-others').disabled).toBe(true);
  });

  it('disables "sign out everywhere else", and says why, when this is the only session', async () => {
    trpc.sessions.list.query.mockResolvedValue([HERE]);
    const { el } = await render();

    const others = button(el, 'devices-revoke-others');
    expect(others.disabled).toBe(true);
    const reason = others.getAttribute('aria-describedby');
    expect(reason && el.querySelector(`#${reason}`)).not.toBeNull();
    expect(el.querySelector('[data-testid=device-revoke]')).toBeNull();
  });

  it('enables "sign out everywhere else" when there is another session', async () => {
    trpc.sessions.list.query.mockResolvedValue([HERE, LAPTOP]);
    const { el } = await render();
    expect(button(el, 'devices-revoke-others').disabled).toBe(false);
  });

  it('just reads the list again when the session was already gone (NOT_FOUND)', async () => {
    trpc.sessions.list.query.mockResolvedValueOnce([HERE, PHONE]).mockResolvedValueOnce([HERE]);
    trpc.sessions.revoke.mutate.mockRejectedValue(trpcError('NOT_FOUND'));
    const { fixture, el } = await render();

    button(el, 'device-revoke').click();
    await settle(fixture);

    expect(trpc.sessions.list.query).toHaveBeenCalledTimes(2);
    expect(devices(el)).toHaveLength(1);
    expect(el.querySelector('[data-testid=devices-outcome]')).toBeNull();
    expect(el.querySelector('[data-testid=devices-error]')).toBeNull();
  });

  it('says why a sign-out failed, keeps the list, and lets the user try again', async () => {
    trpc.sessions.list.query.mockResolvedValue([HERE, PHONE]);
    trpc.sessions.revoke.mutate.mockRejectedValue(trpcError('TOO_MANY_REQUESTS', 'rate_limited', { 'retry-after': '7' }));
    const { fixture, el } = await render();

    button(el, 'device-revoke').click();
    await settle(fixture);

    expect(el.querySelector('[data-testid=devices-outcome]')?.textContent).toContain('7 s');
    expect(trpc.sessions.list.query).toHaveBeenCalledOnce();
    expect(devices(el)).toHaveLength(2);
    expect(button(el, 'device-revoke').disabled).toBe(false);
  });

  it('waits for one sign-out before another can start', async () => {
    trpc.sessions.list.query.mockResolvedValue([HERE, PHONE, LAPTOP]);
    trpc.sessions.revoke.mutate.mockReturnValue(new Promise(() => undefined));
    const { fixture, el } = await render();

    button(el, 'device-revoke').click();
    await settle(fixture);

    expect([...el.querySelectorAll<HTMLButtonElement>('button')].every((b) => b.disabled)).toBe(true);
  });

  it('shows an error with a retry when the list cannot be read', async () => {
    trpc.sessions.list.query.mockRejectedValueOnce(networkError()).mockResolvedValueOnce([HERE]);
    const { fixture, el } = await render();

    const error = el.querySelector('[data-testid=devices-error]');
    expect(error?.getAttribute('role')).toBe('alert');
    (error?.querySelector('button') as HTMLButtonElement).click();
    await settle(fixture);

    expect(devices(el)).toHaveLength(1);
    expect(el.querySelector('[data-testid=devices-error]')).toBeNull();
  });

  it('reads the list again by itself once an outage is over', async () => {
    trpc.sessions.list.query.mockRejectedValueOnce(trpcError('SERVICE_UNAVAILABLE', 'session_store_unavailable')).mockResolvedValueOnce([HERE]);
    const { fixture, el } = await render();
    expect(el.querySelector('[data-testid=devices-error]')).not.toBeNull();

    const status = TestBed.inject(ServiceStatus);
    status.reportUnavailable();
    status.reportAnswered();
    await settle(fixture);

    expect(devices(el)).toHaveLength(1);
  });
});
