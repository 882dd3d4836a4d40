import { Catch, Controller, UseFilters, applyDecorators, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Hands whatever a handler threw to the transport unchanged. Nest's default RPC filter
 * would turn it into `{status: 'error', message: 'Internal server error'}` and lose a
 * TakesError's code; NatsRpcServer maps errors itself.
 */
@Catch()
class ThrownToTransport implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Marks a class of NATS request/reply handlers (`@MessagePattern`) served by
 * NatsRpcServer: its handlers return plain data and throw a TakesError to refuse, and
 * the server answers `{data}` or `{error}`. Use it instead of `@Controller()`.
 */
export function RpcController(): ClassDecorator {
  return applyDecorators(Controller(), UseFilters(new ThrownToTransport()));
}
