import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Browser, FRONT, isAt } from '@bff/test-kit';

/**
 * The test kit's sign-in walk stops where the browser reaches the front (where nothing
 * listens). It once stopped at an IdP on a free port that began with the front's digits
 * (`http://localhost:42993/auth` taken for `http://localhost:4299`), and the sign-in
 * "succeeded" without a session.
 */
let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Listens on the first free port whose number begins with the front's (4299 → 42990…42999). */
async function listenBeside(front: string, handler: Parameters<typeof createServer>[1]): Promise<string> {
  const digits = new URL(front).port;
  for (let last = 0; last < 10; last++) {
    const port = Number(`${digits}${last}`);
    const candidate = createServer(handler);
    const listening = await new Promise<boolean>((resolve) => {
      candidate.once('error', () => resolve(false));
      candidate.listen(port, 'localhost', () => resolve(true));
    });
    if (listening) {
      server = candidate;
      return `http://localhost:${port}`;
    }
  }
  throw new Error(`no free port among ${digits}0…${digits}9`);
}

describe("the test kit's browser walk", () => {
  it('is at the front only on its origin, not on a port that begins with its digits', () => {
    expect(isAt(`${FRONT}/`, FRONT)).toBe(true);
    expect(isAt(`${FRONT}/chat?room=general`, FRONT)).toBe(true);
    expect(isAt(`${FRONT}3/auth?request_uri=x`, FRONT)).toBe(false);
    expect(isAt(`${FRONT}/api/logout`, `${FRONT}/api/`)).toBe(true);
    expect(isAt(`${FRONT}/apix`, `${FRONT}/api/`)).toBe(false);
  });

  it("follows an IdP's redirects on such a port to its page, and stops at the front", async () => {
    const idp = await listenBeside(FRONT, (request, response) => {
      if (request.url === '/auth') response.writeHead(302, { location: '/interaction/1' }).end();
      else if (request.url === '/interaction/1') response.writeHead(200, { 'content-type': 'text/html' }).end('<form method="post" action="/login"></form>');
      else response.writeHead(302, { location: `${FRONT}/` }).end();
    });
    const browser = new Browser();
    const page = await browser.follow(`${idp}/auth`);
    expect([page.url, page.response.status, await page.response.text()]).toEqual([`${idp}/interaction/1`, 200, '<form method="post" action="/login"></form>']);
    const home = await browser.follow(`${idp}/done`);
    expect(home.url).toBe(`${FRONT}/`);
  });
});
