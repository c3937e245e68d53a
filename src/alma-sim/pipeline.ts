// What every /almaws/v1 call goes through, in Alma's order: logged on arrival, latency, the API key, the
// gateway thresholds (daily, per second), injected faults, then the route (declared parameters only, JSON
// only), with Alma's error bodies and the X-Exl-Api-Remaining header throughout.
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { keyMatches, permits, presentedKey, unauthorized } from './auth';
import type { SimCall } from './call-log';
import type { SimCore } from './core';
import { AlmaError, almaError, errorBody, newTrackingId, requestedFormat, type BodyFormat } from './errors';
import type { Outcome } from './faults';
import type { ApiResult, RouteDef } from './routes/types';

interface CallState {
  call: SimCall;
  format: BodyFormat;
  query: Record<string, string>;
  /** A fault to answer after the call has been applied. */
  after?: Outcome;
}

const stateOf = (res: Response) => res.locals.sim as CallState;

/** Alma reads one value per parameter: the first, when a parameter is repeated. */
function firstValues(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[key] = first;
  }
  return out;
}

export function sendError(res: Response, error: AlmaError, format: BodyFormat): void {
  const entry = { errorCode: error.code, errorMessage: error.message, trackingId: newTrackingId() };
  const { contentType, text } = errorBody(format, entry);
  res.status(error.status).set('Content-Type', contentType).send(text);
}

function perform(res: Response, outcome: Outcome, state: CallState): void {
  if (outcome.kind === 'drop') {
    state.call.fault = outcome.fault;
    res.socket?.destroy();
    return;
  }
  state.call.fault = outcome.answer.fault;
  sendError(res, outcome.answer.error, outcome.answer.xml ? 'xml' : state.format);
}

function send(res: Response, result: ApiResult): void {
  if (result.location !== undefined) {
    res.status(result.status).set('Location', result.location).end();
  } else if (result.body === undefined) {
    res.status(result.status).end();
  } else {
    res.status(result.status).set('Content-Type', 'application/json;charset=UTF-8').send(JSON.stringify(result.body));
  }
}

/** Runs first: every call is logged on arrival, even one whose body cannot be read. */
export function apiArrival(core: SimCore): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const query = firstValues(req.query);
    const state: CallState = {
      call: core.calls.start(req.method, req.originalUrl, core.now()),
      format: requestedFormat(query, req.get('accept')),
      query,
    };
    res.locals.sim = state;
    res.on('finish', () => (state.call.status = res.statusCode));
    res.set('X-Exl-Api-Remaining', String(core.faults.remaining));
    next();
  };
}

/**
 * Runs after the body is read, before any route: key, thresholds, latency, fault plan. The body is read before any
 * wait, so a call Alma has received runs even when its caller hangs up (or dies) meanwhile, as on a real server.
 * The thresholds count a call when it arrives, as a gateway does, not when its answer is ready: counted after the
 * latency, the per-second limit judged the simulator's own timers (hundreds of them, firing late under load) rather
 * than the callers.
 */
export function apiGate(core: SimCore): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const state = stateOf(res);
    const { query } = state;

    const authorised =
      keyMatches(presentedKey(req.get('authorization'), query), core.options.apiKey) &&
      permits(core.options.keyPermissions, req.method, req.originalUrl);
    const refused = authorised ? core.faults.admit(Date.now()) : undefined;
    const latency = core.faults.latencyMs();
    if (latency > 0) await core.sleep(latency);
    if (!authorised) {
      sendError(res, unauthorized(), state.format);
      return;
    }
    res.set('X-Exl-Api-Remaining', String(core.faults.remaining));
    if (refused) {
      state.call.fault = refused.fault;
      sendError(res, refused.error, refused.xml ? 'xml' : state.format);
      return;
    }
    const plan = core.faults.plan(req.method, state.call.path);
    if (plan.delayMs > 0) await core.sleep(plan.delayMs);
    if (plan.before) {
      perform(res, plan.before, state);
      return;
    }
    state.after = plan.after;
    next();
  };
}

export function mountRoute(router: Router, core: SimCore, route: RouteDef): void {
  const expressPath = route.path.replace(/\{(\w+)\}/g, ':$1');
  const declared = new Set([...route.query, 'apikey', 'format']);
  const hasBody = route.method !== 'DELETE' && !route.redirect;
  const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
  router[method](expressPath, (req: Request, res: Response) => {
    const state = stateOf(res);
    let result: ApiResult;
    try {
      const undeclared = Object.keys(state.query).filter((k) => !declared.has(k));
      if (core.options.strictParams && undeclared.length > 0) {
        // Real Alma ignores unknown parameters; the simulator refuses them so a misspelt one cannot pass unseen.
        throw almaError(
          'SIM_UNDECLARED_PARAMETER',
          `Parameter(s) ${undeclared.join(', ')} not declared for ${route.method} ${route.path} in Alma's OpenAPI.`,
        );
      }
      if (hasBody && state.format !== 'json') {
        throw almaError(
          'SIM_JSON_ONLY',
          'The simulator answers in JSON only: send Accept: application/json or format=json.',
          406,
        );
      }
      result = route.handler(
        {
          method: route.method,
          params: req.params as Record<string, string>,
          query: state.query,
          rawBody: typeof req.body === 'string' ? req.body : '',
          baseUrl: `${req.protocol}://${req.get('host') ?? ''}`,
        },
        core,
      );
    } catch (error) {
      if (!(error instanceof AlmaError)) throw error;
      if (state.after) perform(res, state.after, state);
      else sendError(res, error, state.format);
      return;
    }
    if (state.after) perform(res, state.after, state);
    else send(res, result);
  });
}

/** A path under /almaws/v1 the simulator does not serve. */
export function noRoute(req: Request, res: Response): void {
  sendError(
    res,
    almaError('SIM_NO_ROUTE', `The simulator serves no ${req.method} ${req.baseUrl}${req.path}.`, 404),
    stateOf(res).format,
  );
}

/** A bug in the simulator (or a body the parser refused): Alma's 500, XML. */
export function apiErrorHandler(log: (line: string) => void) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      sendError(
        res,
        almaError('401652', `General Error: ${(error as Error).message}`, 400),
        stateOf(res)?.format ?? 'xml',
      );
      return;
    }
    log(
      `alma-sim: ${req.method} ${req.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    sendError(
      res,
      almaError('INTERNAL_SERVER_ERROR', 'The web server encountered an unexpected condition.', 500),
      'xml',
    );
  };
}
