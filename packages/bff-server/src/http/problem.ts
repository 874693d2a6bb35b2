import type { Request, Response } from 'express';
import { escapeHtml } from './html.js';

/**
 * Sends an error a person or a program can act on: a short HTML page for browser
 * navigations, JSON `{ error, message }` otherwise. Never internals (S15).
 */
export function sendProblem(req: Request, res: Response, status: number, error: string, message: string): void {
  res.status(status).set('cache-control', 'no-store');
  if (req.accepts(['json', 'html']) === 'html') {
    res
      .type('html')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status}</title></head><body><h1>${status}</h1><p>${escapeHtml(message)}</p><p><code>${escapeHtml(error)}</code></p></body></html>`,
      );
    return;
  }
  res.json({ error, message });
}
