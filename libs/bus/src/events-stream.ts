import { StorageType, nanos, type JetStreamManager, type StreamInfo } from 'nats';

export interface EventsStreamOptions {
  /** Stream name, `EVENTS` by default. */
  name: string;
  /** The subject prefix (`''` in production), so the stream holds `<prefix>evt.>`. */
  subjectPrefix: string;
  /** How long JetStream keeps an event (ms); rebuilds and late readers use PostgreSQL. */
  maxAgeMs: number;
  /** Window in which a repeated Nats-Msg-Id is dropped (ms); at least 2 minutes in production. */
  duplicateWindowMs: number;
  /** 'file' (default, survives a NATS restart) or 'memory' (tests that want speed). */
  storage?: 'file' | 'memory';
}

/**
 * Creates the EVENTS stream, or updates its limits if it exists. Only settings NATS 2.9
 * knows are used.
 */
export async function ensureEventsStream(jsm: JetStreamManager, options: EventsStreamOptions): Promise<StreamInfo> {
  const config = {
    name: options.name,
    subjects: [`${options.subjectPrefix}evt.>`],
    storage: options.storage === 'memory' ? StorageType.Memory : StorageType.File,
    max_age: nanos(options.maxAgeMs),
    duplicate_window: nanos(Math.min(options.duplicateWindowMs, options.maxAgeMs)),
    num_replicas: 1,
  };
  try {
    const info = await jsm.streams.info(options.name);
    // A stream made for another prefix would take none of this deployment's events (the
    // relay's publishes refused, consumers idle): refused here, naming both.
    if (!info.config.subjects?.includes(config.subjects[0])) {
      throw new Error(`stream ${options.name} holds subjects ${JSON.stringify(info.config.subjects)}, not ${config.subjects[0]}: TAKES_SUBJECT_PREFIX or TAKES_STREAM_NAME differ from the deployment that made it`);
    }
    const changed =
      info.config.max_age !== config.max_age || info.config.duplicate_window !== config.duplicate_window;
    return changed
      ? await jsm.streams.update(options.name, { max_age: config.max_age, duplicate_window: config.duplicate_window })
      : info;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      return await jsm.streams.add(config);
    } catch (addError) {
      // Another service created it at the same moment.
      if (String((addError as Error).message).includes('already in use')) return jsm.streams.info(options.name);
      throw addError;
    }
  }
}

export function isNotFound(error: unknown): boolean {
  const err = error as { code?: string; api_error?: { err_code?: number }; message?: string };
  return (
    err?.code === '404' ||
    err?.api_error?.err_code === 10059 ||
    err?.api_error?.err_code === 10037 ||
    /not found/i.test(err?.message ?? '')
  );
}
