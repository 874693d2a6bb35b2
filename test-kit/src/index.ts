/**
 * The test kit: what tests start and drive, for server tests, browser tests and the
 * benchmark alike. Every process it starts is stopped when the run ends, also after
 * a failure or a timeout.
 */
export { freePort } from './ports.js';
export { startProcess, stopProcess, requireProgram } from './processes.js';
export { captureLogs, type CapturedLogs } from './logs.js';
export { startStack, FRONT, type Stack, type StackOptions, type StackReports, type ServerModule, type ApiHandle, type Listener } from './stack.js';
export { Browser, isAt, attemptLogin, login, signInAt, signOutAtIdp, call, SignInError, type ApiTarget, type SecondFactorAnswer } from './browser.js';
export { startSlapd, type Slapd } from './slapd.js';
export { openStream, type EventStream, type SseEvent } from './sse.js';
export { startRedis, startRedisCluster, type RedisServer, type RedisCluster } from './redis.js';
export { startNginx, type Nginx } from './nginx.js';
export { createTestIdp, type TestIdp } from './idp.js';
export { startPrometheus, type PrometheusServer, type PrometheusOptions, type Sample } from './prometheus.js';
export {
  answer,
  differentialCases,
  proceduresOf,
  runDifferential,
  type DifferentialReport,
  type Answer,
  type DifferentialCase,
  type ProcedureEntry,
} from './differential.js';
export { otlpTraceHandler, startOtlpReceiver, type OtlpReceiver, type OtlpTraceHandler, type ReceivedSpan } from './otlp.js';
