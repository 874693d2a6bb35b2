import express from 'express';
import expressOpenidConnect from 'express-openid-connect';
import { ME_RESPONSE } from './fixtures.js';
import { serve, serverOptions } from './serve.js';

/** Options the bench passes to the express-openid-connect child. */
export interface EocServerOptions {
  readonly port: number;
  readonly baseUrl: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly secret: string;
}

// A CommonJS module whose exports Node cannot list statically: named imports fail.
const { auth, requiresAuth } = expressOpenidConnect;
const options = serverOptions<EocServerOptions>();

const app = express();
app.disable('x-powered-by');
// The library's documented defaults (encrypted cookie session, rolling), plus what our IdP requires.
app.use(
  auth({
    issuerBaseURL: options.issuer,
    baseURL: options.baseUrl,
    clientID: options.clientId,
    clientSecret: options.clientSecret,
    clientAuthMethod: 'client_secret_post',
    secret: options.secret,
    authRequired: false,
    idpLogout: false,
    authorizationParams: { response_type: 'code', scope: 'openid profile email' },
  }),
);
app.get('/', (_req, res) => {
  res.type('text').send('signed in');
});
app.get('/me', requiresAuth(), (_req, res) => {
  res.json(ME_RESPONSE);
});

await serve(app, { port: options.port });
