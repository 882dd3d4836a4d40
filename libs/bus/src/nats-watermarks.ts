import type { NatsConnection } from 'nats';
import { subjects, type CallOptions, type ReadModel, type Subjects, type WatermarkView, type Watermarks } from '@takes/contracts';
import type { NatsClientOptions } from './nats-event-store';
import { requestData } from './rpc-client';

/** The `Watermarks` port over NATS request/reply (`watermark.<read_model>`). */
export class NatsWatermarks implements Watermarks {
  private readonly subjects: Subjects;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: NatsClientOptions,
  ) {
    this.subjects = subjects(options.subjectPrefix);
  }

  async position(readModel: ReadModel, options: CallOptions & { timeoutMs?: number } = {}): Promise<number> {
    const view = await requestData<WatermarkView>(this.nc, this.subjects.watermark(readModel), { v: 1 }, {
      timeoutMs: options.timeoutMs ?? this.options.timeoutMs,
      traceparent: options.traceparent,
      unavailableMessage: `no ${readModel} watermark: its service did not answer`,
    });
    return view.position;
  }
}
