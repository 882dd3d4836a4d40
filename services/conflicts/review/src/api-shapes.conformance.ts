// Checked by the root typecheck (tsconfig.json), not built: what the server sends must be
// readable as what the page reads (src/api-shapes.ts). A change to the server's shapes
// that the page would misread fails `npm run typecheck`.
import type { TakesEvent } from '@takes/contracts';
import type { EventGraph as ServerGraph, FieldHistory as ServerHistory } from '@takes/merge';
import type { EventGraph, FieldHistory, RecordEvent } from './api-shapes';

type Fits<Page, Server extends Page> = Server;

export type ApiShapesFit = [Fits<FieldHistory, ServerHistory>, Fits<EventGraph, ServerGraph>, Fits<RecordEvent, TakesEvent>];
