import { AlmaError, classifyHttpError, hasAlmaCode, isAlmaError, parseErrorBody } from '../../src/alma';
import { almaJsonError, almaXmlError } from '../support/alma-stub';

describe('parseErrorBody', () => {
  it('reads a JSON error body', () => {
    const body = JSON.stringify(almaJsonError('401689', 'No items found for barcode 123.', 'E02-1'));
    expect(parseErrorBody(body, 'application/json')).toEqual({
      code: '401689',
      message: 'No items found for barcode 123.',
      trackingId: 'E02-1',
      format: 'json',
    });
  });

  it('reads a JSON body wrapped in web_service_result and a lone error object', () => {
    const body = JSON.stringify({
      web_service_result: { errorsExist: true, errorList: { error: { errorCode: 401861, errorMessage: 'x' } } },
    });
    expect(parseErrorBody(body, '')).toMatchObject({ code: '401861', message: 'x', format: 'json' });
  });

  it('reads an XML web_service_result body, even when JSON was asked for', () => {
    expect(parseErrorBody(almaXmlError('PER_SECOND_THRESHOLD', 'Too many', 'T-9'), 'application/json')).toEqual({
      code: 'PER_SECOND_THRESHOLD',
      message: 'Too many',
      trackingId: 'T-9',
      format: 'xml',
    });
  });

  it('keeps numeric-looking XML codes as strings with their leading digits intact', () => {
    expect(parseErrorBody(almaXmlError('40166415', 'Must send circ_desk'), 'application/xml').code).toBe('40166415');
  });

  it('reads an HTML page by its title, without markup', () => {
    const html =
      '<!DOCTYPE html><html><head><title>401 Unauthorized</title></head><body><h1>Go away</h1></body></html>';
    expect(parseErrorBody(html, 'text/html')).toEqual({ message: '401 Unauthorized', format: 'html' });
    expect(parseErrorBody('<html><body><p>Bad   gateway</p></body></html>', '')).toEqual({
      message: 'Bad gateway',
      format: 'html',
    });
  });

  it('handles empty, plain-text and broken bodies', () => {
    expect(parseErrorBody('', 'application/json')).toEqual({ format: 'empty' });
    expect(parseErrorBody(undefined)).toEqual({ format: 'empty' });
    expect(parseErrorBody('upstream timed out', 'text/plain')).toEqual({
      message: 'upstream timed out',
      format: 'text',
    });
    expect(parseErrorBody('{"errorsExist": tru', 'application/json')).toMatchObject({ format: 'text' });
    expect(parseErrorBody('{"something":"else"}', 'application/json')).toMatchObject({ format: 'text' });
  });
});

describe('classifyHttpError', () => {
  it.each([
    [429, 'PER_SECOND_THRESHOLD', 'rate-limit', true],
    [429, undefined, 'rate-limit', true],
    [429, 'DAILY_THRESHOLD', 'daily-limit', false],
    [500, undefined, 'server', true],
    [503, '401652', 'server', true],
    [400, 'UNAUTHORIZED', 'unauthorized', false],
    [401, undefined, 'unauthorized', false],
    [403, 'INVALID_REQUEST', 'unauthorized', false],
    [400, '401861', 'not-found', false],
    [400, '401890', 'not-found', false],
    [400, '401689', 'not-found', false],
    [400, '401694', 'not-found', false],
    [404, undefined, 'not-found', false],
    [400, '401651', 'business', false],
    [400, '401153', 'business', false],
    [400, '401163', 'business', false],
    [400, '400042', 'business', false],
    [400, '401136', 'business', false],
    [400, '402502', 'business', false],
    [400, undefined, 'business', false],
  ] as const)('HTTP %s %s is %s (retryable %s)', (status, code, kind, retryable) => {
    expect(classifyHttpError(status, code)).toEqual({ kind, retryable });
  });
});

describe('isAlmaError', () => {
  const make = () =>
    new AlmaError({
      kind: 'business',
      retryable: false,
      method: 'POST',
      path: '/almaws/v1/users/x/loans',
      code: '401651',
    });

  it('recognises its own errors and rejects look-alikes', () => {
    expect(isAlmaError(make())).toBe(true);
    expect(isAlmaError({ name: 'AlmaError', kind: 'business', retryable: false })).toBe(false);
    expect(isAlmaError(new Error('x'))).toBe(false);
    expect(isAlmaError(null)).toBe(false);
    expect(hasAlmaCode(make(), '401651', '401153')).toBe(true);
    expect(hasAlmaCode(make(), '400042')).toBe(false);
  });

  it('recognises an error made by another copy of the module (another jest registry)', () => {
    let Other: typeof AlmaError | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      Other = (require('../../src/alma/errors') as { AlmaError: typeof AlmaError }).AlmaError;
    });
    expect(Other).toBeDefined();
    expect(Other).not.toBe(AlmaError);
    const foreign = new Other!({ kind: 'timeout', retryable: true, method: 'GET', path: '/almaws/v1/users/x' });
    expect(foreign instanceof AlmaError).toBe(false);
    expect(isAlmaError(foreign)).toBe(true);
  });

  it('serialises without surprises', () => {
    const json = JSON.parse(JSON.stringify(make())) as Record<string, unknown>;
    expect(json).toMatchObject({ name: 'AlmaError', kind: 'business', retryable: false, code: '401651' });
    expect(make().message).toContain('POST /almaws/v1/users/x/loans');
  });
});
