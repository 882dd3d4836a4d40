import type { EditResult, EntityHandle, TakesClient } from '@takes/client';
import type { FieldAppConfig } from './config';

type Inspection = { id: string; site: string; pressure: number | null; status: 'draft' | 'done' };

const escape = (text: unknown) => String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The list of inspections on the device and a form for the one selected; every change is a local edit. */
export class InspectionView {
  private selected: EntityHandle<Inspection> | undefined;
  private offRecord: (() => void) | undefined;
  private readonly notes = new Map<string, string>();

  constructor(
    private readonly root: HTMLElement,
    private readonly client: TakesClient,
    private readonly config: FieldAppConfig,
  ) {}

  show(): void {
    this.root.innerHTML = `
      <section aria-label="Inspections on this device">
        <div class="toolbar"><button id="new">New inspection</button><button id="sync">Sync now</button></div>
        <ul id="list"></ul>
      </section>
      <section id="detail" aria-label="Inspection"></section>`;
    this.root.querySelector('#new')!.addEventListener('click', () => void this.create());
    this.root.querySelector('#sync')!.addEventListener('click', () => void this.client.sync().catch(() => undefined));
    this.client.subscribeQuery<Inspection>('inspection', () => true, (list) => this.renderList(list));
    this.client.on('result', (result) => this.noteResult(result));
  }

  private async create(): Promise<void> {
    const handle = await this.client.create<Inspection>('inspection', { site: 'new site', status: 'draft' });
    this.select(handle.id);
  }

  private renderList(list: Inspection[]): void {
    const ul = this.root.querySelector('#list')!;
    ul.innerHTML = list
      .map((r) => `<li><button data-id="${escape(r.id)}" aria-current="${r.id === this.selected?.id}">${escape(r.site)} · ${escape(r.pressure ?? '–')} · ${escape(r.status)}</button></li>`)
      .join('');
    ul.querySelectorAll<HTMLButtonElement>('button[data-id]').forEach((button) => button.addEventListener('click', () => this.select(button.dataset.id!)));
  }

  private select(id: string): void {
    this.offRecord?.();
    this.selected = this.client.record<Inspection>('inspection', id);
    this.offRecord = this.selected.subscribe(() => this.renderDetail());
  }

  /**
   * Shows the selected record. The form is built once per record; later changes (a sync,
   * an undo) update its fields in place and leave alone the one being typed in, so a
   * change that arrives while the user types never moves the caret or eats a keystroke.
   */
  private renderDetail(): void {
    const handle = this.selected!;
    const state = handle.state;
    const detail = this.root.querySelector<HTMLElement>('#detail')!;
    if (!state) {
      detail.innerHTML = `<p>Deleted.</p>`;
      return;
    }
    let form = detail.querySelector<HTMLFormElement>('#inspection');
    if (!form || form.dataset.id !== handle.id) form = this.buildForm(detail, handle);
    form.setAttribute('aria-label', `Inspection ${state.site}`);
    const set = (selector: string, value: string) => {
      const field = form!.querySelector<HTMLInputElement | HTMLSelectElement>(selector)!;
      if (field !== document.activeElement && field.value !== value) field.value = value;
    };
    set('#site', state.site ?? '');
    set('#pressure', state.pressure === null || state.pressure === undefined ? '' : String(state.pressure));
    set('#status-field', state.status);
    form.querySelector<HTMLButtonElement>('#undo')!.disabled = !handle.canUndo;
    form.querySelector<HTMLButtonElement>('#redo')!.disabled = !handle.canRedo;
    form.querySelector('#version')!.textContent = `server version ${handle.version} · ${handle.pending} pending`;
    form.querySelector('#note')!.innerHTML = this.notes.get(handle.id) ?? '';
  }

  private buildForm(detail: HTMLElement, handle: EntityHandle<Inspection>): HTMLFormElement {
    const review = `${this.config.reviewUrl}#/record/inspection/${encodeURIComponent(handle.id)}`;
    detail.innerHTML = `
      <form id="inspection" data-id="${escape(handle.id)}">
        <label>Site <input id="site" name="site"></label>
        <label>Pressure (bar) <input id="pressure" name="pressure" type="number" step="0.01"></label>
        <label>Status <select id="status-field" name="status">
          ${['draft', 'done'].map((s) => `<option>${s}</option>`).join('')}
        </select></label>
        <div class="toolbar">
          <button type="button" id="undo">Undo</button>
          <button type="button" id="redo">Redo</button>
          <button type="button" id="save">Save now</button>
        </div>
        <p id="version"></p>
        <div id="note"></div>
        <p><a id="review" href="${escape(review)}" target="_blank">Open in the review page</a></p>
      </form>`;
    const form = detail.querySelector<HTMLFormElement>('#inspection')!;
    form.addEventListener('submit', (event) => event.preventDefault());
    form.querySelector('#site')!.addEventListener('change', (e) => void handle.update({ site: (e.target as HTMLInputElement).value }));
    form.querySelector('#pressure')!.addEventListener('change', (e) => {
      const value = (e.target as HTMLInputElement).value;
      void handle.update({ pressure: value === '' ? null : Number(value) });
    });
    form.querySelector('#status-field')!.addEventListener('change', (e) => void handle.update({ status: (e.target as HTMLSelectElement).value as Inspection['status'] }));
    form.querySelector('#undo')!.addEventListener('click', () => void handle.undo());
    form.querySelector('#redo')!.addEventListener('click', () => void handle.redo());
    form.querySelector('#save')!.addEventListener('click', () => void handle.save().catch(() => undefined));
    return form;
  }

  /** What the server made of an edit: a merge with contested fields, or a refusal, shown on the record. */
  private noteResult({ edit, result }: EditResult): void {
    if (result.outcome === 'rejected') this.notes.set(edit.id, `<p class="rejected" role="alert">Not saved: ${escape(result.error?.message)}</p>`);
    else if (result.contested?.length) this.notes.set(edit.id, `<p class="contested" id="contested">Edited elsewhere too: ${escape(result.contested.map((f) => f.slice(1)).join(', '))}; the later edit is shown until a reviewer picks.</p>`);
    else if (result.outcome === 'shelved') this.notes.set(edit.id, `<p class="rejected" role="alert">Kept for review: ${escape(result.error?.message ?? 'see the review page')}</p>`);
    if (edit.id === this.selected?.id) this.renderDetail();
  }
}
