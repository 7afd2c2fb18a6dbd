import { VsphereError } from './faults.ts';
import type { MoRef, SoapTransport } from './soap.ts';
import { moRefXml, readMoRef } from './soap.ts';
import { child, children, escapeXml, text, type Element } from './xml.ts';

/** One managed object with the properties asked for (missing ones absent). */
export interface ObjectContent {
  readonly obj: MoRef;
  readonly props: ReadonlyMap<string, Element>;
}

/**
 * RetrievePropertiesEx over the objects of a container view, following the continuation token
 * (ContinueRetrievePropertiesEx) until every page is read.
 */
/** RetrievePropertiesEx of named objects (no traversal): those that no longer exist are left out. */
export async function retrieveObjects(
  soap: Pick<SoapTransport, 'call'>,
  collector: MoRef,
  objects: readonly MoRef[],
  paths: readonly string[],
): Promise<ObjectContent[]> {
  const out: ObjectContent[] = [];
  for (const obj of objects) {
    const spec =
      '<vim25:specSet>' +
      `<vim25:propSet><vim25:type>${escapeXml(obj.type)}</vim25:type>${paths.map((p) => `<vim25:pathSet>${escapeXml(p)}</vim25:pathSet>`).join('')}</vim25:propSet>` +
      `<vim25:objectSet>${moRefXml('obj', obj)}</vim25:objectSet></vim25:specSet><vim25:options></vim25:options>`;
    try {
      out.push(...objectContents(await soap.call('RetrievePropertiesEx', collector, spec)));
    } catch (error) {
      if (!(error instanceof VsphereError && error.fault === 'ManagedObjectNotFound')) throw error;
    }
  }
  return out;
}

export async function retrieveFromView(
  soap: Pick<SoapTransport, 'call'>,
  collector: MoRef,
  view: MoRef,
  type: string,
  paths: readonly string[],
  pageSize: number,
): Promise<ObjectContent[]> {
  const spec =
    '<vim25:specSet>' +
    `<vim25:propSet><vim25:type>${escapeXml(type)}</vim25:type>${paths.map((p) => `<vim25:pathSet>${escapeXml(p)}</vim25:pathSet>`).join('')}</vim25:propSet>` +
    `<vim25:objectSet>${moRefXml('obj', view)}<vim25:skip>true</vim25:skip>` +
    '<vim25:selectSet xsi:type="vim25:TraversalSpec"><vim25:name>view</vim25:name><vim25:type>ContainerView</vim25:type><vim25:path>view</vim25:path><vim25:skip>false</vim25:skip></vim25:selectSet>' +
    '</vim25:objectSet></vim25:specSet>' +
    `<vim25:options><vim25:maxObjects>${pageSize}</vim25:maxObjects></vim25:options>`;
  const out: ObjectContent[] = [];
  let [page] = await soap.call('RetrievePropertiesEx', collector, spec);
  for (;;) {
    if (!page) return out; // no objects at all
    out.push(...objectContents([page]));
    const token = text(child(page, 'token'));
    if (!token) return out;
    [page] = await soap.call(
      'ContinueRetrievePropertiesEx',
      collector,
      `<vim25:token>${escapeXml(token)}</vim25:token>`,
    );
  }
}

/** The objects of RetrievePropertiesEx answers, each with the properties it has. */
function objectContents(pages: readonly Element[]): ObjectContent[] {
  const out: ObjectContent[] = [];
  for (const page of pages)
    for (const object of children(page, 'objects')) {
      const obj = readMoRef(child(object, 'obj'));
      if (!obj) continue;
      const props = new Map<string, Element>();
      for (const prop of children(object, 'propSet')) {
        const name = text(child(prop, 'name'));
        const val = child(prop, 'val');
        if (name && val) props.set(name, val);
      }
      out.push({ obj, props });
    }
  return out;
}
