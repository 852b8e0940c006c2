export { createOnwardWorker, runWorker, workerTuning, type OnwardWorkerOptions, type WorkerTuning } from './worker';
export { readWorkerConfig, ConfigError, type ConfigProblem, type WorkerConfig } from './config';
export {
  connectionOptions,
  describeConnection,
  namespaceOf,
  readTemporalSettings,
  type TemporalConnectionOptions,
  type TemporalSettings,
} from './connection';
