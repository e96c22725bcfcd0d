/**
 * The banner that says results are not being saved (the origin's storage is full, or was evicted or cleared), how
 * many runs this page holds that storage does not, and offers them for export before the page is closed.
 */
import type { Controller } from '../client/controller.ts';
import type { StorageProblem } from '../store/results-db.ts';
import { $, download, el } from './dom.ts';

export function storageText(p: StorageProblem): string {
  const held =
    p.unsaved === 0
      ? 'Nothing is lost yet, but new results may not be kept.'
      : `${p.unsaved} run${p.unsaved === 1 ? ' is' : 's are'} held only in this page: export ${p.unsaved === 1 ? 'it' : 'them'} before you close or reload it.`;
  return `${p.message} ${held}`;
}

export function mountStorage(controller: Controller): void {
  const box = $('storage-status');
  const show = (p: StorageProblem | null) => {
    box.hidden = p === null;
    if (!p) return box.replaceChildren();
    const jsonl = el('button', { type: 'button', id: 'storage-export-jsonl' }, 'Export JSONL');
    const csv = el('button', { type: 'button', id: 'storage-export-csv' }, 'Export CSV');
    jsonl.addEventListener('click', async () => download('ondevice-results.jsonl', await controller.exportJsonl(), 'application/x-ndjson'));
    csv.addEventListener('click', async () => download('ondevice-results.csv', await controller.exportCsv(), 'text/csv'));
    box.dataset.kind = p.kind;
    box.replaceChildren(el('p', {}, storageText(p)), jsonl, csv);
  };
  controller.onStorageProblem(show);
  show(controller.storageProblem());
}
