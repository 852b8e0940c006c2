export { createOnwardWorker, OnwardWorker, runWorker, workerTuning, type OnwardWorkerOptions, type RunnableWorker, type WorkerTuning } from './worker';
export { readWorkerConfig, ConfigError, type ConfigProblem, type WorkerConfig } from './config';
