// The demo's simulated staff member at the desk: signs in, starts a relink and presses "I clicked Lost" through the
// desk's own HTML forms, as a browser would (session cookie, CSRF token from the page), so `npm start` shows the desk
// working. Written by hand because it is a few requests: a browser-automation library would be far heavier.

/** A form the desk answered with a page of its own instead of moving on: its status and that page. */
export class DeskRefused extends Error {
  constructor(
    action: string,
    readonly status: number,
    readonly html: string,
  ) {
    super(`the desk refused ${action} (${status})`);
  }
}

export class DeskStaff {
  /** The session cookies (cookie-session's value and signature), as a browser keeps them. */
  private readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  private async request(
    path: string,
    form?: Record<string, string>,
  ): Promise<{ status: number; location?: string; html: string }> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    const location = res.headers.get('location') ?? undefined;
    return { status: res.status, ...(location ? { location } : {}), html: await res.text() };
  }

  /** Opens the page and submits its form (the one with `action`), with the page's CSRF token. */
  private async submit(page: string, action: string, fields: Record<string, string>): Promise<string> {
    const { html } = await this.request(page);
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error(`the desk's ${page} has no form`);
    const res = await this.request(action, { _csrf: token, ...fields });
    if (res.status !== 303) throw new DeskRefused(action, res.status, res.html);
    return res.location ?? '';
  }

  signIn(name: string): Promise<string> {
    return this.submit('/sign-in', '/sign-in', { name });
  }

  start(patron: string, barcodes: string[]): Promise<string> {
    return this.submit('/start', '/start', { patron, barcodes: barcodes.join('\n') });
  }

  clickedLost(workflowId: string): Promise<string> {
    return this.submit(`/relinks/${workflowId}`, `/relinks/${workflowId}/confirm-lost`, {});
  }
}
