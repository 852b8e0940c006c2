export { createOnwardWorker, runWorker, workerTuning, type OnwardWorkerOptions, type WorkerTuning } from './worker';
export { readWorkerConfig, ConfigError, type ConfigProblem, type WorkerConfig } from './config';
