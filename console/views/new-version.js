// Create a version in a set: from a model in a bucket (Import) or from a training task (Train).
import { h, replace } from '../lib/dom.js';
import { t } from '../i18n.js';
import { breadcrumb, errorBox, heading } from './components.js';
import { importForm } from './import-form.js';
import { trainForm } from './train-form.js';

export function renderNewVersion(root, ctx) {
  const setId = ctx.params.get('id');
  const crumbs = h('div', {}, breadcrumb([{ label: t('nav.sets'), href: '#/sets' }, { label: setId, href: `#/sets/${encodeURIComponent(setId)}` }, { label: t('versions.create') }]));
  const formArea = h('div');
  const source = ctx.params.get('source') === 'Train' ? 'Train' : 'Import';

  const radio = (value) =>
    h('label', { class: 'radio' }, h('input', { type: 'radio', name: 'sourceType', value, checked: value === source, onchange: () => show(value) }), t(`source.${value}`), h('span', { class: 'muted small' }, ' — ', t(`source.${value}.hint`)));

  const onCreated = (res) => {
    ctx.announce(t('versions.createdAnnounce'));
    ctx.navigate(`#/models/${encodeURIComponent(res.modelId)}`);
  };

  function show(value) {
    replace(formArea, value === 'Train' ? trainForm(ctx, setId, onCreated) : importForm(ctx, setId, onCreated));
  }

  replace(root,
    crumbs,
    heading(t('versions.create')),
    h('fieldset', { class: 'source-choice' }, h('legend', {}, t('form.sourceType')), radio('Import'), radio('Train')),
    formArea,
  );
  show(source);

  // The set's name for the breadcrumb; a wrong id is reported here, before anyone fills a form.
  ctx.api
    .model('DescribeModelSet', { modelSetId: setId })
    .then((set) => {
      replace(crumbs, breadcrumb([{ label: t('nav.sets'), href: '#/sets' }, { label: set.modelSetName, href: `#/sets/${encodeURIComponent(setId)}` }, { label: t('versions.create') }]));
      ctx.setTitle(`${set.modelSetName} · ${t('versions.create')}`);
    })
    .catch((err) => {
      if (!ctx.handleAuth(err)) crumbs.append(errorBox(err));
    });
}
