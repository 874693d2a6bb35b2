/**
 * The test app as a process of its own, for tests of start-up (a bad configuration ends
 * it with every wrong variable named). Test code: never built, never packed.
 */
import { startBff } from '../bff.js';
import { configFromEnvironment } from '../config/load.js';
import { testRouter } from './test-app.js';

await startBff(configFromEnvironment(process.env), { router: testRouter });
