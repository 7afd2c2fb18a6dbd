import { VsphereError } from './faults.ts';
import type { MoRef, SoapTransport } from './soap.ts';
import { moRefXml, oneAhead, readMoRef } from './soap.ts';
import { child, children, escapeXml, text, type Element, type Keep } from './xml.ts';

/** One managed object with the properties asked for (missing ones absent). */
export interface ObjectContent {
  readonly obj: MoRef;
  readonly props: ReadonlyMap<string, Element>;
}

type Soap = Pick<SoapTransport, 'send'>;

/**
 * The objects a container view holds, then their properties in batches: each batch is one
 * RetrievePropertiesEx naming its objects, so an answer stays small whether or not the server
 * honours `maxObjects` (the simulator does not), and one batch is parsed, and used by the caller,
 * while the next is fetched. Yields each page of objects.
 */
export async function* viewPages(
  soap: Soap,
  collector: MoRef,
  view: MoRef,
  paths: readonly string[],
  batchSize: number,
  keep?: Keep,
): AsyncGenerator<ObjectContent[]> {
  const [listing] = await retrieveObjects(soap, collector, [view], ['view']);
  const value = listing?.props.get('view');
  const members = (value ? children(value) : []).flatMap((el) => {
    const ref = readMoRef(el);
    return ref ? [ref] : [];
  });
  yield* objectPages(soap, collector, members, paths, batchSize, keep);
}

/** Every object of `objectPages`, in one array. */
export async function retrieveObjects(
  soap: Soap,
  collector: MoRef,
  objects: readonly MoRef[],
  paths: readonly string[],
  keep?: Keep,
): Promise<ObjectContent[]> {
  const out: ObjectContent[] = [];
  for await (const page of objectPages(soap, collector, objects, paths, 100, keep))
    out.push(...page);
  return out;
}

/**
 * RetrievePropertiesEx of named objects (no traversal), `batchSize` at a time, each batch's pages
 * followed through the continuation token (ContinueRetrievePropertiesEx); the next batch is sent
 * as soon as this one's answer is in, so it is on its way while the caller works on this one.
 * Objects that no longer exist are left out (`reportMissingObjectsInResults`), so a VM deleted
 * meanwhile fails nothing. `keep` says which elements of the values to build.
 */
async function* objectPages(
  soap: Soap,
  collector: MoRef,
  objects: readonly MoRef[],
  paths: readonly string[],
  batchSize: number,
  keep?: Keep,
): AsyncGenerator<ObjectContent[]> {
  const batches: (readonly MoRef[])[] = [];
  for (let i = 0; i < objects.length; i += batchSize) batches.push(objects.slice(i, i + batchSize));
  const sends = batches.map(
    (batch) => () => soap.send('RetrievePropertiesEx', collector, filterSpec(batch, paths)),
  );
  let b = 0;
  for await (const answer of oneAhead(sends)) {
    // Each object comes in one page: a batch takes no more pages than it has objects, and one more
    // that only hands a token on. A server paging past that would be followed for ever.
    const most = (batches[b++] as readonly MoRef[]).length + 1;
    let [page] = answer.returnvals(keep);
    for (let pages = 1; page; pages++) {
      yield objectContents(page);
      const token = text(child(page, 'token'));
      if (!token) break;
      if (pages === most)
        throw new VsphereError(
          'BadResponse',
          `vSphere kept paging a RetrievePropertiesEx of ${most - 1} objects past ${most} pages`,
        );
      const next = await soap.send(
        'ContinueRetrievePropertiesEx',
        collector,
        `<vim25:token>${escapeXml(token)}</vim25:token>`,
      );
      [page] = next.returnvals(keep);
    }
  }
}

/** A PropertyFilterSpec for these objects: the properties named, for each type among them. */
function filterSpec(objects: readonly MoRef[], paths: readonly string[]): string {
  const pathSet = paths.map((p) => `<vim25:pathSet>${escapeXml(p)}</vim25:pathSet>`).join('');
  const types = [...new Set(objects.map((o) => o.type))];
  return (
    '<vim25:specSet>' +
    types
      .map(
        (t) => `<vim25:propSet><vim25:type>${escapeXml(t)}</vim25:type>${pathSet}</vim25:propSet>`,
      )
      .join('') +
    objects.map((o) => `<vim25:objectSet>${moRefXml('obj', o)}</vim25:objectSet>`).join('') +
    '<vim25:reportMissingObjectsInResults>true</vim25:reportMissingObjectsInResults>' +
    '</vim25:specSet><vim25:options></vim25:options>'
  );
}

/** The objects of one RetrievePropertiesEx page, each with the properties it has. */
function objectContents(page: Element): ObjectContent[] {
  const out: ObjectContent[] = [];
  for (const object of children(page, 'objects')) {
    const obj = readMoRef(child(object, 'obj'));
    if (!obj?.value) continue; // an object no reference names cannot be read again
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
