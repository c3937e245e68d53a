// "Find a relink": did we already relink this item, or this patron? Searches Temporal's visibility by patron, barcode,
// status or what the relink waits for (relink-search.ts, the query `relink list` builds too), running first, then the
// most recently ended, a page at a time with visibility's own page token. A GET form: bookmarkable, no JavaScript.
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import type { RelinkClient, RelinkSummary } from '../../client';
import { AWAITING_KINDS } from '../../contract';
import { RELINK_STATUSES, relinkSearchSchema, type RelinkSearch } from '../../relink-search';
import { render } from '../render';
import { AWAITING_WORDS, listedStatusWords, outcomeWords, stepWords } from '../words';

const PAGE_SIZE = 25;

/** The status choices in staff words. */
const STATUS_CHOICES = RELINK_STATUSES.map((s) => ({ value: s, label: s === 'running' ? 'running' : outcomeWords(s) }));
const AWAITING_CHOICES = AWAITING_KINDS.filter((a) => a !== 'none').map((a) => ({
  value: a,
  label: AWAITING_WORDS[a],
}));

/** The form's fields as the URL carries them: each at most once, empty ones meaning "any". */
const queryFields = z.object({
  patron: z.string().max(200).optional(),
  barcode: z.string().max(200).optional(),
  status: z.string().max(40).optional(),
  waiting: z.string().max(40).optional(),
  // Temporal's page token, base64url; the server refuses one it did not give.
  page: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,4096}$/)
    .optional(),
});

type Values = { patron: string; barcode: string; status: string; waiting: string };
type Errors = Partial<Record<keyof Values | 'form', string>>;

interface Row {
  workflowId: string;
  patronId: string;
  barcodes: string;
  status: string;
  step: string;
  startTime: string;
  closeTime?: string;
}

const rowOf = (r: RelinkSummary): Row => ({
  workflowId: r.workflowId,
  patronId: r.patronId ?? '',
  barcodes: r.barcodes.join(', '),
  status:
    listedStatusWords(r.status, r.outcome) +
    (r.status === 'RUNNING' && r.awaiting !== 'none' ? `, waiting for ${AWAITING_WORDS[r.awaiting]}` : ''),
  step: r.status === 'RUNNING' ? stepWords(r.step) : '',
  startTime: r.startTime,
  ...(r.closeTime ? { closeTime: r.closeTime } : {}),
});

const single = (v: unknown) => (Array.isArray(v) ? undefined : v);

export function findPage(app: Express, relinks: RelinkClient, pageSize = PAGE_SIZE): void {
  app.get('/find', async (req: Request, res: Response) => {
    const q = req.query;
    const fields = queryFields.safeParse({
      patron: single(q.patron),
      barcode: single(q.barcode),
      status: single(q.status),
      waiting: single(q.waiting),
      page: single(q.page),
    });
    const raw = fields.success ? fields.data : {};
    const values: Values = {
      patron: raw.patron ?? '',
      barcode: raw.barcode ?? '',
      status: raw.status ?? '',
      waiting: raw.waiting ?? '',
    };
    const show = (status: number, data: object) =>
      res.status(status).send(
        render('find', {
          req,
          res,
          title: 'Find a relink',
          values,
          statuses: STATUS_CHOICES,
          waits: AWAITING_CHOICES,
          ...data,
        }),
      );
    if (!fields.success) return show(400, { errors: { form: 'The search was not understood. Search again.' } });
    const parsed = relinkSearchSchema.safeParse({
      patronId: values.patron,
      barcode: values.barcode,
      ...(values.status ? { statuses: [values.status] } : {}),
      ...(values.waiting ? { awaiting: values.waiting } : {}),
    });
    if (!parsed.success) {
      const errors: Errors = {};
      for (const issue of parsed.error.issues) {
        const field = ({ patronId: 'patron', barcode: 'barcode', statuses: 'status', awaiting: 'waiting' } as const)[
          issue.path[0] as 'patronId'
        ];
        errors[field ?? 'form'] ??= issue.message;
      }
      return show(400, { errors });
    }
    const search = parsed.data as RelinkSearch;
    try {
      const found = await relinks.search(search, {
        pageSize,
        ...(raw.page ? { pageToken: Buffer.from(raw.page, 'base64url') } : {}),
      });
      const next = found.nextPageToken
        ? `/find?${new URLSearchParams({ ...values, page: Buffer.from(found.nextPageToken).toString('base64url') })}`
        : undefined;
      const first = raw.page ? `/find?${new URLSearchParams(values)}` : undefined;
      return show(200, { errors: {}, rows: found.relinks.map(rowOf), next, first });
    } catch (err) {
      // A page token Temporal does not take (out of date, or made up) is refused as invalid or unknown (the dev
      // server says 'something went wrong'): the same search from its first page works.
      const code = (err as { code?: number }).code;
      const invalid = !!raw.page && (code === 3 || code === 2);
      console.error(`desk: find: ${err instanceof Error ? err.message : String(err)}`);
      return show(invalid ? 400 : 503, {
        errors: {
          form: invalid
            ? 'That page of results is no longer valid. Search again from the first page.'
            : 'The relink service did not answer the search. Try again in a moment.',
        },
      });
    }
  });
}
