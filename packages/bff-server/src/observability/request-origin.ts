import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { TrustProxy } from '../config/trust-proxy.js';
import type { RequestOrigin } from '../hooks.js';
import { deviceOf } from '../session/device.js';

/** Express's compiled `trust proxy` (proxy-addr): whether the hop `index` away, at `address`, is a trusted proxy. */
type Trust = (address: string, index: number) => boolean;

/**
 * What the audit trail records of a request's client: its address (passed in, as the caller
 * has it), browser and OS families, and the request id the request log gave it.
 */
export function requestOrigin(req: IncomingMessage, res: ServerResponse, ip: string | undefined): RequestOrigin {
  const { browser, os } = deviceOf(req.headers['user-agent']);
  const id = res.getHeader('x-request-id');
  return { ip, browser, os, requestId: typeof id === 'string' ? id : undefined };
}

/**
 * The client address of a request that does not go through Express (the tRPC endpoint), as
 * Express's `req.ip` would say with the same `trust proxy` setting: the socket's peer, then
 * `X-Forwarded-For` from the right, up to the first hop that is not a trusted proxy.
 */
export function clientAddress(trustProxy: TrustProxy): (req: IncomingMessage) => string | undefined {
  // Express compiles the setting itself: the same function its req.ip uses on the plain endpoints.
  const trust = express().set('trust proxy', trustProxy).get('trust proxy fn') as Trust;
  return (req) => {
    const peer = req.socket.remoteAddress;
    if (peer === undefined) return undefined;
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean)
      .reverse();
    const hops = [peer, ...forwarded];
    for (let i = 0; i < hops.length - 1; i++) {
      const hop = hops[i];
      if (hop !== undefined && !trust(hop, i)) return hop;
    }
    return hops.at(-1);
  };
}
