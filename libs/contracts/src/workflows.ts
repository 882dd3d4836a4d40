import type { CallOptions } from './event-store.port';
import { actorJsonSchema, type Actor } from './event';
import { APP_NAME } from './subjects';

/**
 * The workflows service's request/reply messages (`<prefix>workflows.<what>`), asked by
 * the gateway's `_workflows` and `_admin/workflow-instances` routes. Replies are `{data}`
 * or `{error}`; the service checks each request against its schema and the caller's
 * right to see or decide an instance (admins, the approval's assignee role or user).
 */
export type WorkflowsRequest = 'pending' | 'get' | 'decide' | 'list' | 'retry';

export type InstanceStatus = 'running' | 'waiting' | 'completed' | 'failed';
export const INSTANCE_STATUSES: readonly InstanceStatus[] = ['running', 'waiting', 'completed', 'failed'];

/** One entry of an instance's history: a step taken (or the start, a decision, a retry), who and when. */
export interface WorkflowHistoryEntry {
  step: string | null;
  /** started, completed, on_true, on_false, waiting, approved, rejected, timed_out, failed, retried, ended */
  status: string;
  by: string | null;
  comment: string | null;
  at: string;
  /** What the step did: the command id and version of its write, or why it failed. */
  detail: Record<string, unknown> | null;
}

/** A workflow instance as the routes show it. */
export interface WorkflowInstanceView {
  id: string;
  workflow_id: string;
  workflow: string;
  definition_version: number;
  status: InstanceStatus;
  current_step: string | null;
  context: Record<string, unknown>;
  trigger: { entity: string; record_id: string; event_id: string };
  /** The approval being waited for: its assignee and deadline. */
  assignee: { type: 'role'; role: string } | { type: 'user'; user_id: string } | null;
  deadline: string | null;
  attempt: number;
  error: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
  history?: WorkflowHistoryEntry[];
}

export interface WorkflowsPage {
  data: WorkflowInstanceView[];
  meta: { page: number; per_page: number; total: number; total_pages: number };
}

/** `workflows.pending`: approvals waiting for the user (by role or by user; admins see all). */
export interface PendingRequest {
  v?: 1;
  app: string;
  user: Actor;
}

/** `workflows.get`: one instance with its history. */
export interface InstanceRequest {
  v?: 1;
  app: string;
  id: string;
  user: Actor;
}

/** `workflows.decide`: approve or reject the approval an instance waits on. */
export interface DecideRequest extends InstanceRequest {
  decision: 'approve' | 'reject';
  comment?: string | null;
}

/** `workflows.list` (admin): instances by status and workflow, newest first. */
export interface ListInstancesRequest {
  v?: 1;
  app: string;
  status?: InstanceStatus;
  workflow_id?: string;
  page?: number;
  per_page?: number;
}

/** `workflows.retry` (admin): a failed instance runs its failed step again, as a new attempt. */
export type RetryRequest = InstanceRequest;

/** Injection token of the `Workflows` port. */
export const WORKFLOWS = Symbol('WORKFLOWS');

/**
 * The workflows service, as the gateway sees it. Each call resolves with the reply's
 * data or rejects with a TakesError: NOT_FOUND (no such instance in the app), FORBIDDEN
 * (not the caller's to see or decide), CONFLICT (the approval is decided already, the
 * instance is not failed), UNAVAILABLE when the service does not answer in time.
 */
export interface Workflows {
  pending(request: PendingRequest, options?: CallOptions): Promise<WorkflowInstanceView[]>;
  get(request: InstanceRequest, options?: CallOptions): Promise<WorkflowInstanceView>;
  decide(request: DecideRequest, options?: CallOptions): Promise<WorkflowInstanceView>;
  list(request: ListInstancesRequest, options?: CallOptions): Promise<WorkflowsPage>;
  retry(request: RetryRequest, options?: CallOptions): Promise<WorkflowInstanceView>;
}

const app = { type: 'string', pattern: APP_NAME.source } as const;
const version = { v: { const: 1 } } as const;
const instance = { ...version, app, id: { type: 'string', minLength: 1, maxLength: 100 }, user: actorJsonSchema } as const;

export const pendingRequestSchema = {
  $id: 'takes.workflows.pending.v1',
  type: 'object',
  required: ['app', 'user'],
  properties: { ...version, app, user: actorJsonSchema },
  additionalProperties: false,
} as const;

export const instanceRequestSchema = {
  $id: 'takes.workflows.get.v1',
  type: 'object',
  required: ['app', 'id', 'user'],
  properties: instance,
  additionalProperties: false,
} as const;

export const decideRequestSchema = {
  $id: 'takes.workflows.decide.v1',
  type: 'object',
  required: ['app', 'id', 'user', 'decision'],
  properties: { ...instance, decision: { enum: ['approve', 'reject'] }, comment: { type: ['string', 'null'], maxLength: 4000 } },
  additionalProperties: false,
} as const;

export const listInstancesRequestSchema = {
  $id: 'takes.workflows.list.v1',
  type: 'object',
  required: ['app'],
  properties: {
    ...version,
    app,
    status: { enum: INSTANCE_STATUSES },
    workflow_id: { type: 'string', maxLength: 100 },
    page: { type: 'integer', minimum: 1 },
    per_page: { type: 'integer', minimum: 1, maximum: 1000 },
  },
  additionalProperties: false,
} as const;

/** The request schema of each `workflows.*` subject (for the service and the AsyncAPI document). */
export const workflowsRequestSchemas: Record<WorkflowsRequest, object> = {
  pending: pendingRequestSchema,
  get: instanceRequestSchema,
  decide: decideRequestSchema,
  list: listInstancesRequestSchema,
  retry: { ...instanceRequestSchema, $id: 'takes.workflows.retry.v1' },
};
