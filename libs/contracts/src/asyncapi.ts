import { appendCommandSchema, exampleAppendCommand } from './command';
import { EVENT_TYPES, exampleEvent, takesEventSchema } from './event';
import { conflictsRequestSchemas } from './conflicts';
import { webhooksRequestSchemas } from './webhooks';
import { workflowsRequestSchemas } from './workflows';
import { rebuildRequestSchema, rebuildStatusRequestSchema } from './rebuild';
import { ReadModel, watermarkRequestSchema } from './watermark';
import { readAllSchema, readCommandSchema, readHeadSchema, readMetaSchema, readPositionSchema, readStateSchema, readStreamSchema } from './reads';

/**
 * The AsyncAPI (2.6) document of Takes' NATS subjects, made from the contracts
 * themselves (schemas, subjects, examples), so it cannot drift from what the services
 * validate. `npm run asyncapi` writes it to docs/asyncapi.json.
 */
export function asyncApiDocument(version = '0.1.0'): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  for (const type of EVENT_TYPES) {
    channels[`evt.{app}.{entity}.${type}`] = {
      description: `Every \`${type}\` event, published by the relay in position order on the JetStream stream EVENTS (headers: Nats-Msg-Id = event id, Takes-Position, traceparent). Readers ignore types they do not know.`,
      parameters: { app: { schema: { type: 'string' } }, entity: { schema: { type: 'string' } } },
      subscribe: { operationId: `on_${type}`, message: { $ref: '#/components/messages/event' } },
    };
  }
  channels['cmd.{app}.{entity}'] = {
    description: 'Writes to one record, request/reply, served by the event store (queue group event-store). The reply is {data: AppendResult} or {error: {code, message, details}}.',
    parameters: { app: { schema: { type: 'string' } }, entity: { schema: { type: 'string' } } },
    publish: { operationId: 'append', message: { $ref: '#/components/messages/appendCommand' } },
  };
  const reads = { stream: readStreamSchema, state: readStateSchema, all: readAllSchema, head: readHeadSchema, meta: readMetaSchema, position: readPositionSchema, command: readCommandSchema };
  for (const [what, schema] of Object.entries(reads)) {
    channels[`store.read.${what}`] = {
      description: `Event store read (request/reply): ${what}.`,
      publish: { operationId: `read_${what}`, message: { payload: schema } },
    };
  }
  for (const [what, schema] of Object.entries(conflictsRequestSchemas)) {
    channels[`conflicts.${what}`] = {
      description: `Conflicts service (request/reply, queue group conflicts): ${what}. The reply is {data} or {error}.`,
      publish: { operationId: `conflicts_${what}`, message: { payload: schema } },
    };
  }
  for (const [what, schema] of Object.entries(webhooksRequestSchemas)) {
    channels[`webhooks.${what}`] = {
      description: `Webhooks service (request/reply, queue group webhooks): ${what}. The reply is {data} or {error}.`,
      publish: { operationId: `webhooks_${what}`, message: { payload: schema } },
    };
  }
  channels['webhooks.endpoint_disabled'] = {
    description: 'The webhooks service disabled an endpoint (410 Gone, or failing too long): {v, app, webhook_id, reason, at}. Core NATS, no reply.',
    subscribe: { operationId: 'webhook_endpoint_disabled', message: { payload: { type: 'object', required: ['v', 'app', 'webhook_id', 'reason', 'at'] } } },
  };
  for (const [what, schema] of Object.entries(workflowsRequestSchemas)) {
    channels[`workflows.${what}`] = {
      description: `Workflows service (request/reply, queue group workflows): ${what}. The reply is {data} or {error}.`,
      publish: { operationId: `workflows_${what}`, message: { payload: schema } },
    };
  }
  channels['projector.rebuild'] = {
    description: "Starts a rebuild of an app's read tables (or one entity's), or finds the one running; request/reply, served by the projector. The reply is {data: RebuildStatus} or {error}.",
    publish: { operationId: 'rebuild', message: { payload: rebuildRequestSchema } },
  };
  channels['projector.rebuild.status'] = {
    description: "The app's running or latest rebuild; request/reply, served by the projector. The reply is {data: RebuildStatus} or {error}.",
    publish: { operationId: 'rebuild_status', message: { payload: rebuildStatusRequestSchema } },
  };
  channels['watermark.{read_model}'] = {
    description: `The last position a read model has applied, request/reply, answered by every replica of the service that owns it (${Object.values(ReadModel).join(', ')}). The reply is {data: {v, read_model, position}} or {error}.`,
    parameters: { read_model: { schema: { type: 'string', enum: Object.values(ReadModel) } } },
    publish: { operationId: 'watermark', message: { payload: watermarkRequestSchema } },
  };
  return {
    asyncapi: '2.6.0',
    info: {
      title: 'Takes events and commands',
      version,
      description:
        'Events carry base_version, prior_version, patch (RFC 6902, server-made), submitted, contested (JSON Pointers) and the branch/submit/commit timestamps: enough for a downstream service to rebuild per-field takes, the review queue and the record graph on its own. Every subject may carry a deployment prefix before its first token.',
    },
    defaultContentType: 'application/json',
    channels,
    components: {
      messages: {
        event: { name: 'TakesEvent', payload: takesEventSchema, examples: [{ payload: exampleEvent }] },
        appendCommand: { name: 'AppendCommand', payload: appendCommandSchema, examples: [{ payload: exampleAppendCommand }] },
      },
    },
  };
}
