#!/usr/bin/env node
import { resolve } from 'node:path';
import { runDoctor } from './doctor-run.js';
import { loadDotEnv } from './load.js';

/**
 * `oidc-bff-doctor`: checks the configuration the API would start with (the environment, then
 * `.env` in the working directory or where npm was started) against the live IdP, Redis and
 * directory; prints what to register at the IdP; exits 1 on errors.
 */
loadDotEnv([resolve(process.cwd(), '.env'), ...(process.env['INIT_CWD'] ? [resolve(process.env['INIT_CWD'], '.env')] : [])]);
process.exitCode = await runDoctor(process.env);
