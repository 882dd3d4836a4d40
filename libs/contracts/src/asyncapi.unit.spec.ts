import { asyncApiDocument } from './asyncapi';
import { EVENT_TYPES, exampleEvent, takesEventSchema } from './event';
import { assertMessage } from './validate';
import { appendCommandSchema, exampleAppendCommand } from './command';
import { conflictsRequestSchemas } from './conflicts';
import { rebuildRequestSchema } from './rebuild';
import { watermarkRequestSchema } from './watermark';

describe('AsyncAPI document', () => {
  it('has a channel for every event type and the command subject, with the schemas the services validate', () => {
    const doc = asyncApiDocument() as { channels: Record<string, unknown>; components: { messages: Record<string, { payload: unknown }> } };
    for (const type of EVENT_TYPES) expect(doc.channels).toHaveProperty([`evt.{app}.{entity}.${type}`]);
    expect(doc.channels).toHaveProperty(['cmd.{app}.{entity}']);
    expect(doc.components.messages.event.payload).toBe(takesEventSchema);
  });
  it('its examples are valid messages', () => {
    expect(() => assertMessage(takesEventSchema, exampleEvent, 'event')).not.toThrow();
    expect(() => assertMessage(appendCommandSchema, exampleAppendCommand, 'command')).not.toThrow();
  });
  it('has the conflicts, rebuild and watermark subjects with the request schemas their servers assert', () => {
    const doc = asyncApiDocument() as { channels: Record<string, { publish: { message: { payload: unknown } } }> };
    for (const [what, schema] of Object.entries(conflictsRequestSchemas)) expect(doc.channels[`conflicts.${what}`].publish.message.payload).toBe(schema);
    expect(doc.channels['projector.rebuild'].publish.message.payload).toBe(rebuildRequestSchema);
    expect(doc.channels['projector.rebuild.status']).toBeDefined();
    expect(doc.channels['watermark.{read_model}'].publish.message.payload).toBe(watermarkRequestSchema);
  });
});
