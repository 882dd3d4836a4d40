import { asyncApiDocument } from './asyncapi';
import { EVENT_TYPES, exampleEvent, takesEventSchema } from './event';
import { assertMessage } from './validate';
import { appendCommandSchema, exampleAppendCommand } from './command';

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
});
