// The progress of a Creating version's import (DescribeModel's importProgress): the phase, a
// progress bar of bytes done, and an estimate. Redrawn in place by the version page's poll.
import { h, replace } from '../lib/dom.js';
import { formatBytes, formatDuration } from '../lib/format.js';
import { t } from '../i18n.js';

export function importProgressBox() {
  const box = h('section', { class: 'card import-progress', id: 'import-progress', 'aria-labelledby': 'import-progress-title' });
  return { el: box, update: (p) => drawProgress(box, p) };
}

function drawProgress(box, p) {
  const title = h('h2', { id: 'import-progress-title' }, t('progress.title'));
  if (!p) return replace(box, title, h('p', { class: 'muted' }, t('details.creating')));
  const parts = [title];
  if (p.phase === 'queued') parts.push(h('p', { class: 'phase' }, p.jobsAhead > 0 ? t('progress.queued', { n: p.jobsAhead }) : t('progress.queuedNext')));
  else if (p.phase === 'retrying') parts.push(h('p', { class: 'phase' }, t('progress.retrying', { reason: p.lastError ?? '' })));
  else parts.push(h('p', { class: 'phase' }, t(`progress.${p.phase}`, {}, p.phase)));
  if (typeof p.bytesTotal === 'number' && p.bytesTotal > 0) {
    const label = t('progress.bytes', { done: formatBytes(p.bytesDone ?? 0), total: formatBytes(p.bytesTotal), percent: p.percent ?? 0 });
    parts.push(
      h('progress', { max: String(p.bytesTotal), value: String(p.bytesDone ?? 0), 'aria-labelledby': 'import-progress-title', 'aria-valuetext': label }),
      h('p', { class: 'small' }, label, typeof p.etaSeconds === 'number' && p.phase === 'copying' ? ` · ${t('progress.eta', { time: formatDuration(p.etaSeconds) })}` : ''),
    );
  } else if (p.phase !== 'queued' && p.phase !== 'retrying') {
    parts.push(h('progress', { 'aria-labelledby': 'import-progress-title' }));
  }
  replace(box, ...parts);
}
