import { subjects, type Subjects } from '@takes/contracts';

/**
 * Every NATS subject the services serve by request/reply (the event store's commands and
 * reads, the conflicts and workflows services, the projector's rebuilds, the watermarks), as a suite with
 * this prefix reaches them. A test sends bad payloads on each and expects an error reply.
 */
export function servedSubjects(prefix: string): string[] {
  const s: Subjects = subjects(prefix);
  return [
    s.command('main', 'inspection'),
    ...(['stream', 'state', 'all', 'head', 'meta', 'position', 'command'] as const).map((what) => s.storeRead(what)),
    ...(['history', 'graph', 'resolve', 'queue'] as const).map((what) => s.conflicts(what)),
    ...(['pending', 'get', 'decide', 'list', 'retry'] as const).map((what) => s.workflows(what)),
    s.rebuild(),
    s.rebuildStatus(),
    s.watermark('records'),
    s.watermark('review_queue'),
  ];
}

/** JSON text of a value nested `depth` levels (arrays and objects in turn), written without recursion. */
export function nestedJson(depth: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i += 1) {
    open += i % 2 === 0 ? '[' : '{"v":';
    close = (i % 2 === 0 ? ']' : '}') + close;
  }
  return `${open}1${close}`;
}
