/** A fault the vSphere API answered with, or a failure to reach it: each kind its own class. */
export class VsphereError extends Error {
  readonly fault: string;
  constructor(fault: string, message: string) {
    super(message);
    this.name = 'VsphereError';
    this.fault = fault;
  }
}

/** Wrong user name or password. */
export class InvalidLoginError extends VsphereError {
  constructor(host: string) {
    super('InvalidLogin', `vSphere at ${host} refused the user name or password`);
    this.name = 'InvalidLoginError';
  }
}

/** A call without a (valid) session. */
export class NotAuthenticatedError extends VsphereError {
  constructor(host: string) {
    super('NotAuthenticated', `vSphere at ${host} says the session is not logged in`);
    this.name = 'NotAuthenticatedError';
  }
}

/** No answer in time. */
export class VsphereTimeoutError extends VsphereError {
  constructor(host: string, method: string, ms: number) {
    super('Timeout', `vSphere at ${host} did not answer ${method} within ${ms} ms`);
    this.name = 'VsphereTimeoutError';
  }
}

/** The server's certificate was not trusted (not verified, or not the pinned thumbprint). */
export class UntrustedCertificateError extends VsphereError {
  constructor(host: string, detail: string) {
    super(
      'UntrustedCertificate',
      `vSphere at ${host}: certificate not trusted (${detail}); set VMWARE_ESXI_INSECURE=true or pin its thumbprint to accept it`,
    );
    this.name = 'UntrustedCertificateError';
  }
}
