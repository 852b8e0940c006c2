export { createOnwardWorker, runWorker, type OnwardWorkerOptions } from './worker';
export { readWorkerConfig, ConfigError, type WorkerConfig } from './config';
