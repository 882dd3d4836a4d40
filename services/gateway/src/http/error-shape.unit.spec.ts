import { HttpException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { TakesError } from '@takes/contracts';
import { toErrorResponse } from './error-shape';

describe('toErrorResponse', () => {
  it('keeps a TakesError code and maps it to its status', () => {
    expect(toErrorResponse(new TakesError('CONFLICT', 'taken', [{ field: 'email', message: 'taken' }]))).toEqual({
      status: 409,
      body: { error: { code: 'CONFLICT', message: 'taken', details: [{ field: 'email', message: 'taken' }] } },
    });
  });
  it('turns body errors into INVALID_PAYLOAD and unknown routes into NOT_FOUND', () => {
    expect(toErrorResponse(new PayloadTooLargeException()).body.error.code).toBe('INVALID_PAYLOAD');
    expect(toErrorResponse(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 })).status).toBe(413);
    expect(toErrorResponse(new PayloadTooLargeException()).status).toBe(413);
    expect(toErrorResponse(new SyntaxError('Unexpected token')).body.error.code).toBe('INVALID_PAYLOAD');
    expect(toErrorResponse(new NotFoundException()).body.error.code).toBe('NOT_FOUND');
  });
  it('never leaks an unexpected error', () => {
    const leaked = toErrorResponse(new Error('relation "gateway.users" does not exist'));
    expect(leaked).toEqual({ status: 500, body: { error: { code: 'INTERNAL_ERROR', message: 'internal error' } } });
    expect(toErrorResponse(new HttpException('teapot', 418)).status).toBe(400);
  });
});
