import type { Config } from '../config/env.js';
import type { Logger } from '../log.js';
import type { SharedState } from './state.js';

export async function createRedisState(_config: Config, _redis: NonNullable<Config['redis']>, _logger: Logger): Promise<SharedState> {
  throw new Error('Redis state is being wired');
}
