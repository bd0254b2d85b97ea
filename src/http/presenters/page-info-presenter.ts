import type { Page } from '../../domain/paging.js';

/** Every listing's pageInfo, in Qianfan's field order. */
export function presentPageInfo<T>(page: Page<T>) {
  return { marker: page.marker, maxKeys: page.maxKeys, isTruncated: page.isTruncated, nextMarker: page.nextMarker, pageReverse: page.pageReverse };
}
