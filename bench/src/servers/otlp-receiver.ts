import { otlpTraceHandler } from '@bff/test-kit';
import { serve, serverOptions } from './serve.js';

/** Options of the OTLP/HTTP receiver child: where the observed API variant exports its spans. */
export interface OtlpReceiverServerOptions {
  readonly port: number;
}

/**
 * The test kit's OTLP/HTTP receiver (no OpenTelemetry Collector is packaged here) in a process
 * of its own, so that decoding the exports costs the measured API nothing; it counts the
 * spans without keeping them, and reports the count with the run's notes.
 */
const options = serverOptions<OtlpReceiverServerOptions>();
const receiver = otlpTraceHandler({ keepSpans: false });
await serve(receiver.handler, {
  port: options.port,
  extra: { notes: () => ({ otlpSpans: receiver.spanCount(), otlpExports: receiver.requests(), otlpRefused: receiver.refused() }) },
});
