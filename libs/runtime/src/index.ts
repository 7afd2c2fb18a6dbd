export {
  runWorker,
  WORKER_SETTINGS,
  type WorkerContext,
  type WorkerSpec,
  type Wiring,
} from './run-worker.ts';
