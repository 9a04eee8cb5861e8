import { loadProgramConfig } from '../../config/loadProgramConfig.js';
import type { EngineSettings } from '../../engine/core/EngineSettings.js';
import { engineSettings } from '../../engine/engineSettings.js';
import { resolveStrategies } from '../../engine/resolveStrategies.js';
import type { TestServices } from '../services/TestServices.js';

/** The environment of an engine process in a test, and the settings an in-process core derives from it. */
export async function engineEnvironment(services: TestServices, options: { schema: string; prefix: string; group: string; extra?: Record<string, string> }):
  Promise<{ env: Record<string, string>; settings: EngineSettings }> {
  const env: Record<string, string> = {
    KAFKA_BROKERS: services.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: options.prefix,
    DATABASE_URL: services.databaseUrl, DATABASE_SCHEMA: options.schema, ENGINE_GROUP_ID: options.group,
    METRICS_HOST: '127.0.0.1', ENGINE_METRICS_PORT: '0', ENGINE_CHECKPOINT_INTERVAL_MS: '200',
    STRATEGY_MODULE: 'sma_cross,rsi_reversion', STRATEGY_PARAMS: '{"sma_cross":{"fast":3,"slow":8},"rsi_reversion":{"period":5,"allowShort":true}}',
    ENGINE_INTERVALS: '1m,5m', ENGINE_STAT_WINDOWS: '10,30', ENGINE_SESSION_TIMEOUT_MS: '6000', LOG_LEVEL: 'info',
    ...options.extra,
  };
  const config = loadProgramConfig('engine', env);
  return { env, settings: engineSettings(config, await resolveStrategies(config.STRATEGY_MODULE, config.STRATEGY_PARAMS)) };
}
