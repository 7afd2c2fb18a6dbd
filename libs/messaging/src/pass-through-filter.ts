import type { RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC filter turns any error into `{ status: 'error', message: 'Internal server
 * error' }`, which would hide a domain refusal's code from the settlement. This one hands the error
 * back unchanged. Without `@Catch()` it catches everything; every Ferry service installs it.
 */
export class PassThroughRpcFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
