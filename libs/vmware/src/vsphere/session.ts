import type { SoapOptions } from './soap.ts';
import { readMoRef, SoapTransport, type MoRef } from './soap.ts';
import { child, escapeXml, path, text, type Element } from './xml.ts';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** A logged-in vim25 session: the transport (its cookie also opens the datastore), the service content. */
export interface VsphereSession {
  readonly soap: SoapTransport;
  readonly apiType: 'HostAgent' | 'VirtualCenter';
  /** The instance's UUID (vCenter) or, failing that, the URL: what VM keys are made from. */
  readonly instance: string;
  /** A managed object the service content names (`rootFolder`, `propertyCollector`, ...). */
  ref(name: string): MoRef;
  /** Logs out (best effort) and closes the connections. */
  close(): Promise<void>;
}

const SERVICE_INSTANCE: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };

/** RetrieveServiceContent then Login; on any failure the connections are closed again. */
export async function openSession(options: SoapOptions & Credentials): Promise<VsphereSession> {
  const soap = new SoapTransport(options);
  try {
    const [content] = await soap.call('RetrieveServiceContent', SERVICE_INSTANCE);
    const ref = (name: string) => {
      const r = readMoRef(child(content as Element, name));
      if (!r) throw new Error(`the service content has no ${name}`);
      return r;
    };
    const sessionManager = ref('sessionManager');
    await soap.call(
      'Login',
      sessionManager,
      `<vim25:userName>${escapeXml(options.username)}</vim25:userName><vim25:password>${escapeXml(options.password)}</vim25:password>`,
    );
    return {
      soap,
      apiType:
        text(path(content, 'about', 'apiType')) === 'VirtualCenter' ? 'VirtualCenter' : 'HostAgent',
      instance: text(path(content, 'about', 'instanceUuid')) ?? options.url,
      ref,
      close: async () => {
        await soap.call('Logout', sessionManager).catch(() => undefined);
        await soap.close();
      },
    };
  } catch (error) {
    await soap.close();
    throw error;
  }
}
