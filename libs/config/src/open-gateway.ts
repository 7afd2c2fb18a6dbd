const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

/**
 * Reachable from other machines, the gateway must know who asks: why a gateway on `host` with this
 * identity provider may not start, or undefined when it may.
 */
export function openGatewayProblem(host: string, issuer: string | undefined): string | undefined {
  if (issuer || LOOPBACK.includes(host)) return undefined;
  return `GATEWAY_HOST=${host} listens beyond this machine, but no identity provider is configured: set OIDC_ISSUER (and OIDC_CLIENT_ID), or GATEWAY_HOST=127.0.0.1`;
}
