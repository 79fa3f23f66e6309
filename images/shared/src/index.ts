export { PushAnswer, PushService, pushServer, serve } from "./push-server";
export { createLogger, Io, Logger, processIo, Severity } from "./log";
export { exitWhenWritten, STOP_DEADLINE_MS, STOP_SIGNALS, StopOptions, StopSignal, Stoppable, stoppableServer, stopOnSignal } from "./shutdown";
